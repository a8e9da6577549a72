/// <reference types="vite/client" />
import type { WorkbenchBridge } from '../../preload/contract.ts';

declare global {
  interface Window {
    /** Present in the desktop app (the preload's bridge); absent in browser mode. */
    api?: WorkbenchBridge;
  }
}

declare module '*.vue' {
  import type { DefineComponent } from 'vue';

  const component: DefineComponent<object, object, unknown>;
  export default component;
}
