// The inputs of shared/reference/trec_eval_golden.md (trec_eval 9.0.7), as fixture strings.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GOLDEN_QRELS = `q1 0 d1 2
q1 0 d2 1
q1 0 d3 0
q1 0 d4 3
q1 0 d9 1
q2 0 a 1
q2 0 b 0
q3 0 x 0
q3 0 y 0
q4 0 m 1
`;

export const GOLDEN_RUN = `q1 Q0 d3 1 10.0 r
q1 Q0 d1 2 9.0 r
q1 Q0 d5 3 9.0 r
q1 Q0 d2 4 8.0 r
q1 Q0 d4 5 1.0 r
q2 Q0 b 1 5 r
q2 Q0 c 2 5 r
q2 Q0 a 3 5 r
q3 Q0 x 1 3 r
q5 Q0 z 1 3 r
`;

/** Writes named files into a fresh temp folder and returns their paths. */
export function writeFiles(files: Record<string, string | Buffer>): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'eval-test-'));
  const paths: Record<string, string> = {};
  for (const [name, content] of Object.entries(files)) {
    paths[name] = join(dir, name);
    writeFileSync(paths[name], content);
  }
  return paths;
}
