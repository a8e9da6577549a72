import { type Measured, renderDatasetCard } from './card.ts';
import measuredJson from './measured.json' with { type: 'json' };

/**
 * The demo's numbers as native-models/evaluate.ts measured them with the engine (BM25 and both demo models on
 * the demo subset's test and dev splits), bundled with the code so the app shows the dataset card offline.
 */
export const MEASURED: Measured = measuredJson as unknown as Measured;

/** The dataset card (Markdown) the app shows next to the demo dataset; the same text as native-models/README.md. */
export function wordnetDatasetCard(): string {
  return renderDatasetCard(MEASURED);
}
