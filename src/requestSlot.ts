// A value Gatehouse keeps with a request object (node's IncomingMessage, a Fetch Request) for the
// adapters and handlers that read it later: the Principal, the resolved request facts.
//
// Kept on the object under a symbol no one else holds: a WeakMap entry per request costs about 20
// times more (its insertion, and the ephemeron work it gives every garbage collection). A request that
// cannot take a property (frozen, sealed) goes to the WeakMap.

export interface RequestSlot<T> {
  set(request: object, value: T): void;
  get(request: object): T | undefined;
}

export function requestSlot<T>(name: string): RequestSlot<T> {
  const key = Symbol(name);
  const fallback = new WeakMap<object, T>();
  type Holder = { [key]?: T };
  return {
    set(request, value) {
      if (Object.isExtensible(request)) (request as Holder)[key] = value;
      else fallback.set(request, value);
    },
    get(request) {
      return (request as Holder)[key] ?? fallback.get(request);
    },
  };
}
