/**
 * One call to a daemon's RPC API, with a deadline; throws with the API's
 * message on an error status
 */
export async function rpcCall (apiUrl: string, endpoint: string, query: Record<string, string> = {}, timeout = 120_000): Promise<any> {
  const url = new URL(`${apiUrl.replace(/\/api\/v0$/, '')}/api/v0/${endpoint}`)
  Object.entries(query).forEach(([key, value]) => { url.searchParams.set(key, value) })
  const response = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(timeout) })
  const body = await response.json()

  if (!response.ok) {
    throw new Error(`${endpoint}: ${body.Message}`)
  }

  return body
}
