/** Counters the server keeps for `GET /metrics`. */
export class Metrics {
  connectionsOpened = 0
  updatesReceived = 0
  bytesReceived = 0
  updatesDropped = 0
  messagesRejected = 0
  storageErrors = 0
  /** REST requests that failed for a reason other than storage or the request itself: a bug. */
  internalErrors = 0
  closes = new Map<number, number>()

  /** Counts a connection the server closed, by close code. */
  closed (code: number): void {
    this.closes.set(code, (this.closes.get(code) ?? 0) + 1)
  }
}

/** The live gauges, read at scrape time. */
export interface Gauges { roomsLoaded: number, connections: number }

const line = (name: string, type: 'counter' | 'gauge', help: string, value: number): string =>
  `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n${name} ${value}\n`

/** Renders the metrics in Prometheus text exposition format 0.0.4. */
export const renderMetrics = (m: Metrics, g: Gauges): string => [
  line('strata_rooms_loaded', 'gauge', 'Project documents held in memory.', g.roomsLoaded),
  line('strata_connections', 'gauge', 'Open websocket connections.', g.connections),
  line('strata_connections_opened_total', 'counter', 'Websocket upgrades accepted.', m.connectionsOpened),
  line('strata_updates_received_total', 'counter', 'Document updates received and logged.', m.updatesReceived),
  line('strata_bytes_received_total', 'counter', 'Websocket bytes received.', m.bytesReceived),
  line('strata_updates_dropped_total', 'counter', 'Updates dropped because the sender may not write.', m.updatesDropped),
  line('strata_messages_rejected_total', 'counter', 'Messages refused as malformed, too large or too frequent.', m.messagesRejected),
  line('strata_storage_errors_total', 'counter', 'Failed storage reads and writes.', m.storageErrors),
  line('strata_internal_errors_total', 'counter', 'REST requests that failed with a server bug (not storage, not the request).', m.internalErrors),
  '# HELP strata_closes_total Connections closed by the server, by close code.\n# TYPE strata_closes_total counter\n',
  ...[...m.closes].map(([code, n]) => `strata_closes_total{code="${code}"} ${n}\n`),
].join('')
