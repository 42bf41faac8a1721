/** Fraction of Datastore.StorageMax fill may hold */
export const DEFAULT_FILL_SHARE = 0.2

/** Fraction of Datastore.StorageMax always left free for the user's own adds */
export const DEFAULT_FILL_HEADROOM = 0.05

/** Peers asked for lists per round */
export const DEFAULT_FILL_PEERS = 32

/** Lists asked for at once */
export const FILL_ASK_CONCURRENCY = 4

/** Largest DAG fill buys */
export const DEFAULT_MAX_DAG_SIZE = 1024n ** 3n

/** A candidate replaces a held DAG only when this many times denser */
export const DEFAULT_FILL_HYSTERESIS = 1.5

/** Providers looked for per candidate */
export const FILL_PROVIDERS = 8

/** Milliseconds to look for a candidate's providers */
export const FILL_PROVIDER_TIMEOUT = 20_000

/** Candidates valued per round, at most (each costs a provider search and a root block) */
export const FILL_MAX_VALUED = 64

/** A DAG may run this far past the size its root declares before it is dropped */
export const FILL_SIZE_SLACK = 0.1

/** Milliseconds after a round before its reporters' items are checked against our own counts */
export const ACCURACY_DELAY = 48 * 3_600_000

/** Stroops of money exchanged with a reporter at which its credibility is full (1 unit of the asset) */
export const FULL_CREDIBILITY_STROOPS = 10_000_000

/** Rounds `fill ls` keeps */
export const FILL_HISTORY_LIMIT = 1000

/** The pin label of fill's DAGs */
export const FILL_PIN_NAME = 'torplus-fill'
