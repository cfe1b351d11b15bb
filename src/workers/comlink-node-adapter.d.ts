// Types for comlink's Node adapter, imported by its file path (TypeScript looks for a .d.mts next
// to the .mjs; comlink ships node-adapter.d.ts).
declare module 'comlink/dist/esm/node-adapter.mjs' {
  import type { Endpoint } from 'comlink';
  export interface NodeEndpoint {
    postMessage(message: any, transfer?: any[]): void;
    on(type: string, listener: (...args: any[]) => void, options?: {}): void;
    off(type: string, listener: (...args: any[]) => void, options?: {}): void;
    start?: () => void;
  }
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
