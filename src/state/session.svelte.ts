import type { Actor, VersionId } from '../domain/index.ts'

const TOKEN = 'strata:token'
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

/**
 * Who is using the app (token, display name, a stable actor id) and where they are.
 * The token is remembered once seen in a link and then taken out of the address bar: the
 * URL names only the place, so a link to a version can be shared without handing over the
 * token (and the browser's history does not keep it). The name is asked once.
 */
export class Session {
  #token = $state.raw<string | null>(null)
  #name = $state.raw<string>('')
  #place = $state.raw<Place>(readPlace())
  readonly actorId: string

  constructor() {
    const fromUrl = new URLSearchParams(location.search).get('token')
    if (fromUrl) localStorage.setItem(TOKEN, fromUrl)
    this.#token = fromUrl ?? localStorage.getItem(TOKEN)
    this.#name = localStorage.getItem(NAME) ?? ''
    let actorId = localStorage.getItem(ACTOR)
    if (!actorId) localStorage.setItem(ACTOR, (actorId = crypto.randomUUID()))
    this.actorId = actorId
    addEventListener('popstate', () => (this.#place = readPlace()))
    if (fromUrl) this.#writeUrl(this.#place, false)
  }

  get token(): string | null {
    return this.#token
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

  /** Switches to another token (e.g. the owner token of a project just created). */
  setToken(token: string): void {
    this.#token = token
    localStorage.setItem(TOKEN, token)
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
