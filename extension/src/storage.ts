/** The settings as chrome.storage.local keeps them: what is not valid there reads as the defaults */
import { checkSettings, DEFAULT_SETTINGS } from './settings.js'
import type { Settings } from './settings.js'

export async function loadSettings (): Promise<Settings> {
  const stored = await chrome.storage.local.get('settings')
  const checked = checkSettings(stored.settings ?? {})
  return 'settings' in checked ? checked.settings : DEFAULT_SETTINGS
}

export async function saveSettings (settings: Settings): Promise<void> {
  await chrome.storage.local.set({ settings })
}
