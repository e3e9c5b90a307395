/**
 * The executable's standard streams: a closed pipe ends the process quietly, and a stream is
 * guarded when it is first used rather than created up front (src/cli/bin.ts, and the `get` and
 * relay fast paths).
 *
 * @module
 */
/** A closed pipe (`seeqret get K | true`, `seeqret users | head -1`) is not an error: stop quietly, as Unix tools do. */
export function quietOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

/** The standard streams this process has created (a `get` usually creates neither). */
const created = new Set<'stdout' | 'stderr'>();

/**
 * Whether everything this process wrote has reached its descriptor, so that `process.exit`
 * loses nothing: no standard stream holds unwritten data (the fast path writes its value with
 * `fs.writeSync`; a stream to a terminal, file or Linux pipe writes synchronously).
 */
export function allWritten(): boolean {
  return [...created].every((name) => process[name].writableLength === 0);
}

/**
 * Guard `process[name]` when it is first used, not now: creating a standard stream loads and
 * compiles a dozen internal modules (~10 ms), which a `get` that prints only its value through
 * `fs.writeSync` (src/cli/fd-out.ts) and nothing to stderr never needs.
 */
export function quietOnEpipeWhenUsed(name: 'stdout' | 'stderr'): void {
  const own = Object.getOwnPropertyDescriptor(process, name);
  if (!own?.get || !own.configurable) {
    created.add(name);
    quietOnEpipe(process[name]);
    return;
  }
  const create = own.get.bind(process);
  Object.defineProperty(process, name, {
    configurable: true,
    enumerable: own.enumerable ?? false,
    get(): NodeJS.WriteStream {
      created.add(name);
      const stream = create() as NodeJS.WriteStream;
      Object.defineProperty(process, name, { configurable: true, enumerable: own.enumerable ?? false, writable: false, value: stream });
      quietOnEpipe(stream);
      return stream;
    },
  });
}
