// Type declarations for the two benchmark dependencies that ship none: only what bench/ uses.

declare module '@koa/cors' {
  import type { Context, Middleware } from 'koa';
  interface KoaCorsOptions {
    origin?: string | ((ctx: Context) => string | Promise<string>);
    allowMethods?: string | readonly string[];
    exposeHeaders?: string | readonly string[];
    allowHeaders?: string | readonly string[];
    maxAge?: number | string;
    credentials?: boolean | ((ctx: Context) => boolean | Promise<boolean>);
  }
  export default function cors(options?: KoaCorsOptions): Middleware;
}

declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';
  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    /** Called before each request is sent; returns the request to send. */
    setupRequest?: (request: AutocannonRequest, context: object) => AutocannonRequest;
  }
  interface AutocannonOptions {
    url: string;
    connections?: number;
    pipelining?: number;
    duration?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    requests?: AutocannonRequest[];
  }
  interface AutocannonResult {
    duration: number;
    errors: number;
    timeouts: number;
    non2xx: number;
    requests: { total: number; mean: number };
    latency: { p50: number; p99: number };
  }
  interface AutocannonInstance extends EventEmitter, PromiseLike<AutocannonResult> {
    stop(): void;
  }
  export default function autocannon(options: AutocannonOptions): AutocannonInstance;
}
