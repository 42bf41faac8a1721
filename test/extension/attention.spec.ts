/**
 * The extension's attention clock: only TorPlus sites in view are timed,
 * by the name the node keeps them under; whole seconds go out in reports
 * of at most 600, the rest waits; a report the node did not take comes back
 */
import { expect } from 'aegir/chai'
import { AttentionTracker, MAX_REPORT_SECONDS, siteOf } from '../../extension/src/attention.js'

const T0 = 1_000_000

describe('extension attention clock', () => {
  it('knows TorPlus sites by the name the node keeps, and nothing else', () => {
    expect(siteOf('http://sites.torplus.com/#video')).to.equal('video.torplus.eth')
    expect(siteOf('https://torplus.example.com/a?b')).to.equal('torplus.example.com')
    expect(siteOf('http://example.com/')).to.equal(undefined)
    expect(siteOf('chrome-extension://abc/popup.html')).to.equal(undefined)
    expect(siteOf('chrome://newtab')).to.equal(undefined)
    expect(siteOf(undefined)).to.equal(undefined)
  })

  it('times the site in view, stops for anything else, and reports whole seconds', () => {
    const tracker = new AttentionTracker()
    tracker.view('http://torplus.example.com/', T0)
    tracker.view('http://torplus.example.com/other-page', T0 + 5_000)
    tracker.view('http://example.com/', T0 + 12_500)
    tracker.view('http://sites.torplus.com/#video', T0 + 100_000)
    tracker.view(undefined, T0 + 103_000)

    expect(tracker.take(T0 + 200_000)).to.deep.equal([
      { site: 'torplus.example.com', seconds: 12 },
      { site: 'video.torplus.eth', seconds: 3 }
    ])
    // the half second waits for the next report
    tracker.view('http://torplus.example.com/', T0 + 300_000)
    expect(tracker.take(T0 + 300_500)).to.deep.equal([{ site: 'torplus.example.com', seconds: 1 }])
    expect(tracker.take(T0 + 300_900)).to.deep.equal([])
  })

  it('reports at most 600 seconds a site at once, and keeps going across restarts of the worker', () => {
    const tracker = new AttentionTracker()
    tracker.view('http://video.torplus.eth/', T0)
    const restarted = new AttentionTracker(JSON.parse(JSON.stringify(tracker.snapshot())))

    expect(restarted.take(T0 + 1_000_000)).to.deep.equal([{ site: 'video.torplus.eth', seconds: MAX_REPORT_SECONDS }])
    expect(restarted.take(T0 + 1_000_000)).to.deep.equal([{ site: 'video.torplus.eth', seconds: 400 }])
  })

  it('takes back a report the node did not take, and adds nothing for a clock that went back', () => {
    const tracker = new AttentionTracker()
    tracker.view('http://video.torplus.eth/', T0)
    const [report] = tracker.take(T0 + 30_000)
    tracker.putBack(report)
    tracker.view(undefined, T0 - 50_000)
    expect(tracker.take(T0 + 60_000)).to.deep.equal([{ site: 'video.torplus.eth', seconds: 30 }])
  })

  it('keeps at most 100 sites waiting, dropping the least watched', () => {
    const tracker = new AttentionTracker()

    for (let i = 0; i < 150; i++) {
      tracker.view(`http://torplus.site${i}.example.com/`, T0 + i * 10_000)
      tracker.view(undefined, T0 + i * 10_000 + 1_000 + i)
    }

    const reports = tracker.take(T0 + 10_000_000)
    expect(reports).to.have.lengthOf(100)
    expect(reports.map(report => report.site)).to.include('torplus.site149.example.com')
  })
})
