/**
 * Names through a running daemon, as a user reaches them: `torplus names
 * resolve`, the RPC API, and the extension's resolver, book and attention
 * report beside the payment gateway; the config refuses a name server that would be asked in
 * the clear
 */
import { expect } from 'aegir/chai'
import { startEnsChain } from '../../src/devnet/ens-chain.js'
import { createOnionKey } from '../../src/transport/index.js'
import { torplus } from '../utils/cli.js'
import { startDaemon } from '../utils/daemon.js'
import { startDnsmasq } from '../utils/dnsmasq.js'
import { request } from '../utils/http.js'
import { createRepo } from '../utils/repo.js'
import type { EnsChain } from '../../src/devnet/ens-chain.js'
import type { RunningDaemon } from '../utils/daemon.js'
import type { DnsServer } from '../utils/dnsmasq.js'

describe('names through the daemon', function () {
  this.timeout(120_000)
  const site = createOnionKey().serviceId
  const video = createOnionKey().serviceId
  let dns: DnsServer
  let chain: EnsChain
  let daemon: RunningDaemon
  let extensionApi: string

  before(async () => {
    dns = await startDnsmasq('torplus.test', [{ name: 'torplus.blog.torplus.test', strings: [`torplus=${site}.onion`] }])
    chain = await startEnsChain()
    await chain.setName('video.torplus.eth', { text: `${video}.onion` })
    const repo = await createRepo({ Names: { Dns: [dns.url], EthRpc: chain.rpc, EnsRegistry: chain.registry } })
    daemon = await startDaemon(repo)
    const gateway = /^Payment gateway listening on (http:\/\/\S+)\/api\/v1$/m.exec(daemon.output())?.[1]
    expect(gateway).to.be.a('string')
    extensionApi = `${gateway}/api`
  })

  after(async () => {
    await daemon?.stop()
    await chain?.stop()
    await dns?.stop()
  })

  it('resolves a TXT name and an ENS name from the CLI, and says why a name has no onion', async () => {
    const txt = await torplus(['names', 'resolve', 'torplus.blog.torplus.test'], { repo: daemon.repo })
    expect(txt.stdout.trim()).to.equal(`${site}.onion`)

    const ens = await torplus(['names', 'resolve', 'http://sites.torplus.com/#video', '--json'], { repo: daemon.repo })
    expect(JSON.parse(ens.stdout)).to.deep.equal({ Name: 'video.torplus.eth', Via: 'ens', Onion: `${video}.onion` })

    const missing = await torplus(['names', 'resolve', 'torplus.gone.torplus.test'], { repo: daemon.repo })
    expect(missing.code).to.not.equal(0)
    expect(missing.stderr).to.include('names no TorPlus site: no such name (NXDOMAIN)')

    const notOurs = await torplus(['names', 'resolve', 'example.com'], { repo: daemon.repo })
    expect(notOurs.code).to.not.equal(0)
    expect(notOurs.stderr).to.include('is not a TorPlus name')
  })

  it('answers the extension on the payment gateway\'s port, and nothing else there by that path', async () => {
    const resolved = await request(`${extensionApi}/resolver/resolve`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ hostname: 'video.torplus.eth' })) })
    expect(resolved.status).to.equal(200)
    expect(JSON.parse(resolved.body)).to.deep.equal({ resolved: true, hostname: `${video}.onion` })

    const setup = await request(`${extensionApi}/resolver/setupResolving`, { method: 'GET', headers: { domainToResolve: 'sites.torplus.com', fragment: 'video' } })
    expect(JSON.parse(setup.body)).to.deep.equal({ resolved: true, hostname: `${video}.onion` })
    const aliased = await torplus(['names', 'resolve', 'sites.torplus.com'], { repo: daemon.repo })
    expect(aliased.stdout.trim()).to.equal(`${video}.onion`)

    const nowhere = await request(`${extensionApi}/nothing`, { method: 'GET' })
    expect(nowhere.status).to.equal(404)
    expect(JSON.parse(nowhere.body).Code).to.equal('ERR_NOT_FOUND')
  })

  it('records the attention the extension reports, shows it from the CLI, and says how to turn paying for it on', async () => {
    const reported = await request(`${extensionApi}/attention`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify({ hostname: 'http://sites.torplus.com/#video', seconds: 90 })) })
    expect(reported.status, reported.body).to.equal(200)

    const shown = await torplus(['attention', '--json'], { repo: daemon.repo })
    expect(JSON.parse(shown.stdout)).to.deep.include({ Owed: [] })
    expect(JSON.parse(shown.stdout).Sites.map((site: { Site: string, Seconds: number }) => [site.Site, site.Seconds])).to.deep.equal([['video.torplus.eth', 90]])
    expect((await torplus(['attention'], { repo: daemon.repo })).stdout).to.equal('1m 30s       video.torplus.eth\n')

    const pay = await torplus(['attention', 'pay'], { repo: daemon.repo })
    expect(pay.code).to.not.equal(0)
    expect(pay.stderr).to.include('set Payments.AttentionPricePerMinute above 0')
  })

  it('refuses a name server it would ask in the clear, when the config is set', async () => {
    const plain = await torplus(['config', 'set', 'Names.Dns', '["dns://192.0.2.1:53"]', '--json'], { repo: await createRepo() })
    expect(plain.code).to.not.equal(0)
    expect(plain.stderr).to.include('DNS over HTTPS')
  })
})
