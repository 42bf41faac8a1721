/**
 * The options page: the proxy mode, the node's proxy and API addresses and
 * its API token. Saving checks them and asks the node: settings that name
 * no running node, or a node whose proxy is elsewhere, are kept only once
 * they are right, and Chrome's proxy follows at once.
 */
import { element } from './dom.js'
import { send } from './messages.js'
import { NodeApi } from './node-api.js'
import { checkSettings } from './settings.js'
import { loadSettings, saveSettings } from './storage.js'
import type { Settings } from './settings.js'

const form = element<HTMLFormElement>('#form')
const saved = element('#saved')

function fill (settings: Settings): void {
  for (const radio of form.querySelectorAll<HTMLInputElement>('input[name=mode]')) {
    radio.checked = radio.value === settings.mode
  }

  element<HTMLInputElement>('#proxy', form).value = settings.proxy
  element<HTMLInputElement>('#api', form).value = settings.api
  element<HTMLInputElement>('#token', form).value = settings.token
}

function say (ok: boolean, text: string): void {
  saved.dataset.ok = String(ok)
  saved.textContent = text
}

/** Why the node at these settings will not do, if it will not */
async function nodeProblem (settings: Settings): Promise<string | undefined> {
  if (settings.mode === 'off') {
    return undefined
  }

  try {
    const status = await new NodeApi(settings).status()

    if (status.Proxy == null) {
      return 'the node at that API runs no proxy: set its Addresses.Proxy and restart it'
    }

    if (status.Proxy !== settings.proxy) {
      return `the node's proxy is at ${status.Proxy}, not ${settings.proxy}`
    }
  } catch (err: any) {
    return `${String(err.message)}: start it with \`npx torplus daemon\`, or check the address`
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault()
  const data = new FormData(form)
  const checked = checkSettings({ mode: data.get('mode'), proxy: data.get('proxy'), api: data.get('api'), token: data.get('token') })

  if ('problem' in checked) {
    say(false, checked.problem)
    return
  }

  say(true, 'Checking your node…')
  nodeProblem(checked.settings)
    .then(async (problem) => {
      if (problem != null) {
        say(false, `Not saved: ${problem}`)
        return
      }

      await saveSettings(checked.settings)
      await send({ type: 'apply-settings' })
      say(true, 'Saved')
    })
    .catch((err: Error) => { say(false, err.message) })
})

loadSettings().then(fill).catch(() => {})
