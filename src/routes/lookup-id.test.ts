import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseLookupId, parseUuid } from './lookup-id.js';

const G = '7dd2d8fd-b3db-5810-af03-d9e93a224e1f';

test('parseUuid accepts the forms Go uuid.Parse accepts', () => {
  const cases: [string, string | undefined][] = [
    [G, G],
    [G.toUpperCase(), G],
    [`{${G}}`, G],
    [`urn:uuid:${G}`, G],
    [`URN:UUID:${G}`, G],
    [G.replaceAll('-', ''), G],
    [`${G}x`, undefined],
    [G.replace('-', 'x'), undefined],
    [G.replace('d', 'g'), undefined],
    [`(${G})`, undefined],
    ['', undefined],
  ];
  for (const [input, want] of cases) assert.equal(parseUuid(input), want, input);
});

test('parseLookupId applies promfetcher rules: names, then GUID, then route', () => {
  assert.deepEqual(parseLookupId('acme/prod/billing'), { kind: 'names', org: 'acme', space: 'prod', app: 'billing' });
  assert.deepEqual(parseLookupId('acme%2Fprod%2Fbilling'), { kind: 'names', org: 'acme', space: 'prod', app: 'billing' });
  assert.deepEqual(parseLookupId('my%20org/prod/billing'), { kind: 'names', org: 'my org', space: 'prod', app: 'billing' });
  assert.deepEqual(parseLookupId(G.toUpperCase()), { kind: 'guid', guid: G });
  assert.deepEqual(parseLookupId('Billing.Apps.Example.com/'), { kind: 'route', routeKey: 'billing.apps.example.com' });
  assert.deepEqual(parseLookupId('apps.example.com/catalog?x=1'), { kind: 'route', routeKey: 'apps.example.com/catalog' });
  // The original's gotcha, kept: a route with exactly two path segments reads as names.
  assert.deepEqual(parseLookupId('host.example.com/a/b'), { kind: 'names', org: 'host.example.com', space: 'a', app: 'b' });
  assert.deepEqual(parseLookupId('a/b/c/d'), { kind: 'route', routeKey: 'a/b/c/d' });
  assert.deepEqual(parseLookupId('%E0%A4%A'), { kind: 'route', routeKey: '%e0%a4%a' });
});
