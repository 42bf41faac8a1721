/**
 * No page of a TorPlus name is requested before the node resolved it:
 * declarativeNetRequest blocks every top-level request to a TorPlus host
 * (the service worker sends the tab through the resolving page instead),
 * except names resolved lately, and sites.torplus.com in a tab the node has
 * just been told which site it stands for (its keyword is in the fragment,
 * which no request carries, so every page of it is let through once, right
 * after the node was told). Pure: the rules are built here, the service
 * worker installs them.
 */
import { SITES_HOST } from '../../src/names/route.js'
import type { NavigationState } from './resolution.js'

/**
 * The hosts routeName looks up, and sites.torplus.com, as RE2 (what
 * declarativeNetRequest takes): `<name>.eth`, and a host with a `torplus`
 * label followed by at least two more; the tests hold it to routeName
 */
export const TORPLUS_URL = '^https?://(?:[a-z0-9_-]+\\.)*(?:[a-z0-9_-]+\\.eth|torplus\\.[a-z0-9_-]+\\.[a-z0-9_.-]*[a-z0-9_-]|sites\\.torplus\\.com)\\.?(?::[0-9]+)?(?:[/?#]|$)'

/** Dynamic rule ids: the block, and the names let through */
export const BLOCK_RULE = 1
export const RESOLVED_RULE = 2

/** The rule shapes this extension uses, as chrome.declarativeNetRequest takes them */
export interface Rule {
  id: number
  priority: number
  action: { type: 'block' | 'allow' }
  condition: { regexFilter?: string, requestDomains?: string[], tabIds?: number[], resourceTypes: ['main_frame'] }
}

/** The dynamic rules for the node on or off, and the names resolved lately */
export function dynamicRules (on: boolean, known: Pick<NavigationState, 'names'>, now: number): Rule[] {
  if (!on) {
    return []
  }

  const rules: Rule[] = [{ id: BLOCK_RULE, priority: 1, action: { type: 'block' }, condition: { regexFilter: TORPLUS_URL, resourceTypes: ['main_frame'] } }]
  const names = Object.entries(known.names).filter(([, until]) => until > now).map(([name]) => name)

  if (names.length > 0) {
    rules.push({ id: RESOLVED_RULE, priority: 2, action: { type: 'allow' }, condition: { requestDomains: names, resourceTypes: ['main_frame'] } })
  }

  return rules
}

/** The session rule letting one tab's next request to sites.torplus.com through: its id is the tab's */
export function aliasRule (tabId: number): Rule {
  return { id: tabId, priority: 2, action: { type: 'allow' }, condition: { tabIds: [tabId], requestDomains: [SITES_HOST], resourceTypes: ['main_frame'] } }
}
