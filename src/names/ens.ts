/**
 * ENS lookups over Ethereum JSON-RPC (`eth_call`, through the node's
 * connector): the registry names the resolver of `<name>.torplus.eth`,
 * whose `torplus` text record holds the onion, or else whose contenthash is
 * an onion3 one (EIP-1577, codec 0x01bd). The endpoint is trusted to answer
 * truly: a JSON-RPC call carries no proof.
 */
import { decodeFunctionResult, encodeFunctionData, namehash, parseAbi, zeroAddress } from 'viem'
import { normalize } from 'viem/ens'
import { z } from 'zod'
import { NameNotFoundError, NameServerError } from './errors.js'
import { post } from './http.js'
import { readOnionHost, TXT_KEY } from './txt.js'
import type { Connector } from './http.js'
import type { AbortOptions } from '@libp2p/interface'
import type { Hex } from 'viem'

const REGISTRY_ABI = parseAbi(['function resolver(bytes32 node) view returns (address)'])
const RESOLVER_ABI = parseAbi([
  'function text(bytes32 node, string key) view returns (string)',
  'function contenthash(bytes32 node) view returns (bytes)'
])

/** Bytes of a JSON-RPC answer read at most */
const MAX_ANSWER_BYTES = 65_536

/** The onion3 contenthash prefix: codec 0x01bd as an unsigned varint */
const ONION3_PREFIX = '0xbd03'

const RpcAnswer = z.union([
  z.object({ result: z.string().regex(/^0x([0-9a-fA-F]{2})*$/) }),
  z.object({ error: z.object({ code: z.number(), message: z.string().max(10_000) }) })
])

export interface EnsInit {
  /** The JSON-RPC endpoint */
  rpc: URL
  /** The ENS registry's address on that chain */
  registry: Hex
  connect?: Connector
}

export interface EnsSource {
  /** The onion of `name`; throws NameNotFoundError when it names none */
  onion(name: string, options: AbortOptions & { timeout: number }): Promise<string>
}

class Reverted extends Error {}

export function ensSource (init: EnsInit): EnsSource {
  let nextId = 1

  async function call (to: Hex, data: Hex, options: AbortOptions & { timeout: number }): Promise<Hex> {
    const request = { jsonrpc: '2.0', id: nextId++, method: 'eth_call', params: [{ to, data }, 'latest'] }
    const answer = await post(init.rpc, new TextEncoder().encode(JSON.stringify(request)), { ...options, contentType: 'application/json', accept: 'application/json', maxBytes: MAX_ANSWER_BYTES, connect: init.connect })

    if (answer.status !== 200) {
      throw new NameServerError(init.rpc, `answered HTTP ${answer.status}`)
    }

    let parsed: z.infer<typeof RpcAnswer>

    try {
      parsed = RpcAnswer.parse(JSON.parse(new TextDecoder().decode(answer.body)))
    } catch {
      throw new NameServerError(init.rpc, 'answered what is not a JSON-RPC result')
    }

    if ('error' in parsed) {
      // geth and hardhat say "execution reverted" with code 3, ganache -32000 with "revert" in the message
      if (parsed.error.code === 3 || /revert/i.test(parsed.error.message)) {
        throw new Reverted(parsed.error.message)
      }

      throw new NameServerError(init.rpc, `answered error ${parsed.error.code}: ${parsed.error.message.slice(0, 200)}`)
    }

    return parsed.result as Hex
  }

  /** A resolver's answer, or undefined when the call reverts or returns what does not decode */
  async function read (resolver: Hex, data: Hex, decode: (result: Hex) => string, options: AbortOptions & { timeout: number }): Promise<string | undefined> {
    let result: Hex

    try {
      result = await call(resolver, data, options)
    } catch (err) {
      if (err instanceof Reverted) {
        return undefined
      }

      throw err
    }

    try {
      return decode(result)
    } catch {
      return undefined
    }
  }

  return {
    async onion (name, options) {
      let normalised: string

      try {
        normalised = normalize(name)
      } catch (err: any) {
        throw new NameNotFoundError(name, `not a valid ENS name (${err.message.split('\n')[0]})`)
      }

      const node = namehash(normalised)
      let resolver: Hex

      try {
        const result = await call(init.registry, encodeFunctionData({ abi: REGISTRY_ABI, functionName: 'resolver', args: [node] }), options)
        resolver = decodeFunctionResult({ abi: REGISTRY_ABI, functionName: 'resolver', data: result })
      } catch (err: any) {
        if (err instanceof NameServerError) {
          throw err
        }

        throw new NameServerError(init.rpc, `gave no resolver address for ${name}: is Names.EnsRegistry ${init.registry} the registry of that chain?`)
      }

      if (resolver === zeroAddress) {
        throw new NameNotFoundError(name, 'ENS has no resolver for it')
      }

      const text = await read(resolver, encodeFunctionData({ abi: RESOLVER_ABI, functionName: 'text', args: [node, TXT_KEY] }), data => decodeFunctionResult({ abi: RESOLVER_ABI, functionName: 'text', data }), options)

      if (text != null && text !== '') {
        const found = readOnionHost(text)

        if ('onion' in found) {
          return found.onion
        }

        throw new NameNotFoundError(name, `its ENS text record "${TXT_KEY}" holds ${found.error}`)
      }

      const contenthash = await read(resolver, encodeFunctionData({ abi: RESOLVER_ABI, functionName: 'contenthash', args: [node] }), data => decodeFunctionResult({ abi: RESOLVER_ABI, functionName: 'contenthash', data }), options)

      if (contenthash == null || contenthash === '0x') {
        throw new NameNotFoundError(name, `ENS has neither a "${TXT_KEY}" text record nor an onion contenthash for it`)
      }

      if (!contenthash.toLowerCase().startsWith(ONION3_PREFIX)) {
        throw new NameNotFoundError(name, 'its ENS contenthash is not an onion3 one')
      }

      const found = readOnionHost(Buffer.from(contenthash.slice(ONION3_PREFIX.length), 'hex').toString('latin1'))

      if ('error' in found) {
        throw new NameNotFoundError(name, `its ENS contenthash holds ${found.error}`)
      }

      return found.onion
    }
  }
}
