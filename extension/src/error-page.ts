/**
 * The error page: what went wrong with a page, found out by asking the node
 * (is it up, is tor ready, does the name lead anywhere, is there money), in
 * words a person understands, with the command that fixes it when there is
 * one, and a way to try again
 */
import { siteOf } from './attention.js'
import { element, show } from './dom.js'
import { NodeApi } from './node-api.js'
import { diagnose } from './problems.js'
import { loadSettings } from './storage.js'
import type { Probes } from './problems.js'

async function probe (url: string, error: string): Promise<Probes> {
  const api = new NodeApi(await loadSettings())
  const site = siteOf(url)
  const probes: Probes = { url, error, torplus: site != null }

  try {
    probes.status = await api.status()
  } catch (err: any) {
    probes.status = err.name === 'NodeDownError' ? 'down' : undefined
    return probes
  }

  if (site != null) {
    probes.resolved = await api.resolve(url)
      .then(answer => answer.resolved ? { onion: answer.hostname } : { code: 'ERR_NAME_NOT_FOUND', message: 'no TorPlus record' })
      .catch((err: any) => ({ code: String(err.code ?? 'ERR_NAME_LOOKUP'), message: String(err.message) }))
  }

  probes.balance = await api.balance().catch(() => undefined)
  return probes
}

async function main (): Promise<void> {
  const params = new URLSearchParams(location.search)
  const url = params.get('url') ?? ''
  const problem = diagnose(await probe(url, params.get('error') ?? ''))

  document.body.dataset.problem = problem.kind
  show('#title', problem.title)
  show('#detail', problem.detail)
  const command = element('#command')
  command.hidden = problem.command == null
  element('code', command).textContent = problem.command ?? ''
  const retry = element<HTMLAnchorElement>('#retry')
  retry.href = /^https?:/i.test(url) ? url : '#'
  document.title = `TorPlus: ${problem.title}`
}

main().catch(() => {})
