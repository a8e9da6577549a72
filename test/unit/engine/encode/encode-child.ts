/**
 * Encodes a synthetic corpus on a pool of two production workers in a child process, so that a test can
 * SIGKILL it mid-way:
 * `node main/bin/run-ts.mjs encode-child.ts PKG_DIR DATA_DIR DOCS SEED BATCH_SIZE SORT_WINDOW DELAY_MS`.
 * Prints `batches <done>` after every completed batch; DELAY_MS holds each batch back so the kill lands
 * before the end.
 */
import { encodeCorpus, memoryCorpus, pooledEncoder } from '../../../../main/engine/encode/index.ts';
import { readPackage } from '../../../../main/engine/models/index.ts';
import { enginePool } from '../../../../main/engine/workers/index.ts';
import { syntheticCorpus } from '../../../fixtures/models/vocab.ts';

const [pkgDir, dataDir, docs, seed, batchSize, sortWindow, delayMs] = process.argv.slice(2);
const pool = enginePool({ size: 2 });
const pause = new Int32Array(new SharedArrayBuffer(4));
await encodeCorpus({
  dataDir,
  encoder: pooledEncoder(pool, readPackage(pkgDir)),
  corpus: memoryCorpus(syntheticCorpus(Number(docs), Number(seed))),
  batchSize: Number(batchSize),
  sortWindow: Number(sortWindow),
  onProgress: (p) => {
    process.stdout.write(`batches ${p.batchesDone}\n`);
    if (p.batchesDone > 0) Atomics.wait(pause, 0, 0, Number(delayMs));
  },
});
process.stdout.write('finished\n');
await pool.close();
