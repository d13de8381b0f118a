import type { Actor, VersionId } from '../domain/index.ts'

const TOKEN = 'strata:token'
const PROJECT_TOKENS = 'strata:tokens'
const NAME = 'strata:name'
const ACTOR = 'strata:actor'

/** Where the user is: which project and which version, mirrored in the URL so links and reloads keep it. */
export interface Place {
  projectId: string | null
  versionId: VersionId | null
}

const readPlace = (): Place => {
  const params = new URLSearchParams(location.search)
  return { projectId: params.get('project'), versionId: params.get('version') as VersionId | null }
}

const readTokens = (): Record<string, string> => {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(PROJECT_TOKENS) ?? '{}')
    return parsed !== null && typeof parsed === 'object' ? Object.fromEntries(Object.entries(parsed).filter((e): e is [string, string] => typeof e[1] === 'string')) : {}
  } catch {
    return {}
  }
}

/**
 * Who is using the app (token, display name, a stable actor id) and where they are.
 * The token is remembered once seen in a link and then taken out of the address bar: the
 * URL names only the place, so a link to a version can be shared without handing over the
 * token (and the browser's history does not keep it). A link that names a project keeps its
 * token for that project only, so an invite to one project never replaces the token another
 * project (or the project list) is opened with. The name is asked once.
 */
export class Session {
  #token = $state.raw<string | null>(null)
  #projectTokens = $state.raw<Record<string, string>>({})
  #name = $state.raw<string>('')
  #place = $state.raw<Place>(readPlace())
  readonly actorId: string

  constructor() {
    const fromUrl = new URLSearchParams(location.search).get('token')
    this.#token = localStorage.getItem(TOKEN)
    this.#projectTokens = readTokens()
    if (fromUrl && this.#place.projectId) this.#keepProjectToken(this.#place.projectId, fromUrl)
    // The token the project list is read with: a link without a project sets it, and the
    // first project link seen does until then.
    if (fromUrl && (!this.#place.projectId || !this.#token)) localStorage.setItem(TOKEN, (this.#token = fromUrl))
    this.#name = localStorage.getItem(NAME) ?? ''
    let actorId = localStorage.getItem(ACTOR)
    if (!actorId) localStorage.setItem(ACTOR, (actorId = crypto.randomUUID()))
    this.actorId = actorId
    addEventListener('popstate', () => (this.#place = readPlace()))
    if (fromUrl) this.#writeUrl(this.#place, false)
  }

  /** The token the project list is read and projects are created with. */
  get token(): string | null {
    return this.#token
  }

  /** Every token this device holds, the list's first. */
  tokens(): string[] {
    return [...new Set([...(this.#token ? [this.#token] : []), ...Object.values(this.#projectTokens)])]
  }

  /** The token to open `projectId` with: its own from an invite link, else the list's. */
  tokenFor(projectId: string): string {
    return this.#projectTokens[projectId] ?? this.#token ?? ''
  }

  get name(): string {
    return this.#name
  }

  get place(): Place {
    return this.#place
  }

  /** The person acting, as the domain records it. */
  get actor(): Actor {
    return { id: this.actorId, name: this.#name }
  }

  setName(name: string): void {
    this.#name = name.trim()
    localStorage.setItem(NAME, this.#name)
  }

  #keepProjectToken(projectId: string, token: string): void {
    this.#projectTokens = { ...this.#projectTokens, [projectId]: token }
    localStorage.setItem(PROJECT_TOKENS, JSON.stringify(this.#projectTokens))
  }

  /** Goes somewhere; pushes a history entry so Back returns. */
  go(place: Place, push = true): void {
    this.#place = place
    this.#writeUrl(place, push)
  }

  #writeUrl(place: Place, push: boolean): void {
    const params = new URLSearchParams()
    if (place.projectId) params.set('project', place.projectId)
    if (place.projectId && place.versionId) params.set('version', place.versionId)
    const url = `${location.pathname}?${params}`
    if (push) history.pushState(null, '', url)
    else history.replaceState(null, '', url)
  }
}
