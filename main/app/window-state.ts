import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { BrowserWindow, Rectangle } from 'electron';

export interface WindowState {
  bounds: Rectangle;
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = {
  bounds: { x: 0, y: 0, width: 1280, height: 800 },
  maximized: false,
};

/** The last window size and position (`<userData>/window-state.json`); defaults when unreadable. */
export function loadWindowState(file: string): WindowState {
  if (!existsSync(file)) return DEFAULT_WINDOW_STATE;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
    const b = s.bounds;
    const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
    if (!b || ![b.x, b.y, b.width, b.height].every(ok) || b.width < 400 || b.height < 300)
      return DEFAULT_WINDOW_STATE;
    return { bounds: b, maximized: s.maximized === true };
  } catch {
    return DEFAULT_WINDOW_STATE;
  }
}

/** Saves the window's normal (un-maximized) bounds when it closes. */
export function trackWindowState(win: BrowserWindow, file: string): void {
  win.on('close', () => {
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
    try {
      writeFileSync(file, `${JSON.stringify(state)}\n`);
    } catch {
      // a read-only profile folder: the next start uses the defaults
    }
  });
}
