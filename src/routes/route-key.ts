/**
 * The key gorouter files a URI under: lower-cased, `?query` cut off, trailing `/` trimmed
 * (`App.Example.com/Path/?x=1` → `app.example.com/path`).
 */
export function toRouteKey(uri: string): string {
  let end = uri.indexOf('?');
  if (end === -1) end = uri.length;
  while (end > 0 && uri.charCodeAt(end - 1) === 0x2f) end--;
  return uri.slice(0, end).toLowerCase();
}

/** The host part of a route key (up to the first `/`). */
export function routeHost(routeKey: string): string {
  const slash = routeKey.indexOf('/');
  return slash === -1 ? routeKey : routeKey.slice(0, slash);
}
