/**
 * ZSTD for output pages: zstd 1.5 compiled to WebAssembly (@bokuweb/zstd-wasm), level 1.
 *
 * Chosen by measurement on Ferry's own pages of 200,000 orders output rows (32 pages, 13.4 MB
 * uncompressed), one core, MB/s of input at level 1 on Node 20 / 22 / 24:
 *   - @bokuweb/zstd-wasm (WASM)              2.89 MB  190-210 / 215-230 / 275-325 MB/s
 *   - @toondepauw/node-zstd (native, N-API)  2.89 MB  455 / 475 / 480 MB/s
 *   - zstd-napi (native, node-gyp at install) 2.89 MB  265-380 / 470-500 / 300-370 MB/s
 *   - zlib.zstdCompressSync (Node >= 22.15)  2.89 MB  absent / 360 / 465 MB/s
 *   - zstd-codec (emscripten, older zstd)     2.98 MB  250 / 285 / 235 MB/s
 *   - @hpcc-js/wasm-zstd                      2.89 MB  ~25 MB/s on all three
 *   - for scale, Ferry's snappy: 5.88 MB at 135-200 MB/s; gzip level 1: 3.67 MB at 145-195 MB/s
 * (@mongodb-js/zstd fetches its binary from GitHub at install, and is asynchronous only.)
 * The WASM build is the one that works alike on Node 20, 22 and 24, on any libc and CPU, with no
 * install script and no platform package for npm to get wrong (a lockfile made on one platform can
 * miss another's optional binary); and one implementation writes the same bytes on every Node
 * version, so reprocessing a file rewrites identical output (Node's own zstd and the native addon
 * each produce other, equally valid, bytes). The native addon compresses about twice as fast, which
 * would save ~0.13 s of the engine's 2.2 s CPU on the 1M-row bench file (67 MB of pages): not worth a
 * native dependency. Already, the engine spends no more CPU with ZSTD than with snappy (bench/engine.ts).
 * Level 1, as Arrow's writer defaults to: on these 1 MiB pages it is both smaller (2.89 vs 2.93 MB)
 * and faster than zstd's default level 3.
 */
import { compress, init } from '@bokuweb/zstd-wasm'

const LEVEL = 1

// Instantiating the module takes ~10 ms, once per process or worker thread; compression is then
// synchronous, like the other codecs.
await init()

/** One page as a ZSTD frame; a new array, never a view of the WASM memory. */
export function zstdCompress(page: Uint8Array): Uint8Array {
  return compress(page, LEVEL)
}
