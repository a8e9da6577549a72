import { resourceUsage } from 'node:process';

/**
 * Peak memory while a measurement runs. The resident set size is read after every timed query (a cheap
 * call) and by a timer in between, so the peak of an encode or a search is caught without sampling inside
 * native code. `maxRssBytes` is the operating system's high-water mark for the whole process (getrusage),
 * an upper bound that also covers what happened before the measurement.
 */
export interface MemoryPeakReport {
  baselineRssBytes: number;
  peakRssBytes: number;
  /** peak − baseline: what the measured work added. */
  peakIncreaseBytes: number;
  maxRssBytes: number;
}

export class MemoryPeak {
  private peak: number;
  private readonly baseline: number;
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 10) {
    this.baseline = process.memoryUsage.rss();
    this.peak = this.baseline;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): void {
    const rss = process.memoryUsage.rss();
    if (rss > this.peak) this.peak = rss;
  }

  stop(): MemoryPeakReport {
    clearInterval(this.timer);
    this.sample();
    return {
      baselineRssBytes: this.baseline,
      peakRssBytes: this.peak,
      peakIncreaseBytes: this.peak - this.baseline,
      // ru_maxrss is in kilobytes on Linux and macOS (Node normalises Windows to the same unit).
      maxRssBytes: resourceUsage().maxRSS * 1024,
    };
  }
}
