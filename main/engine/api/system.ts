import { cpus, totalmem } from 'node:os';
import { listSupportedBackends } from 'onnxruntime-node';

export interface SystemInfo {
  appVersion: string;
  shell: 'electron' | 'browser';
  dataDir: string;
  platform: string;
  cpuModel: string;
  cores: number;
  totalMemoryBytes: number;
  node: string;
  executionProviders: { name: string; bundled: boolean }[];
}

export const APP_VERSION = '0.1.0';

export function systemInfo(deps: { dataDir: string; shell: 'electron' | 'browser' }): SystemInfo {
  const cpu = cpus();
  return {
    appVersion: APP_VERSION,
    shell: deps.shell,
    dataDir: deps.dataDir,
    platform: `${process.platform}-${process.arch}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    totalMemoryBytes: totalmem(),
    node: process.versions.node,
    executionProviders: listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled })),
  };
}
