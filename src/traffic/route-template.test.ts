import { describe, expect, it } from 'vitest';
import { compileRoutePattern, firstMatchingPattern, routeTemplate } from './route-template.js';

describe('route templates', () => {
  it('turns id-like segments into {id} and drops the query', () => {
    expect(routeTemplate('get', '/users/123/orders?page=2')).toBe('GET /users/{id}/orders');
    expect(routeTemplate('GET', '/orders/3f2b1c4e-9a0d-4e5f-8a7b-1c2d3e4f5a6b')).toBe(
      'GET /orders/{id}',
    );
    expect(routeTemplate('GET', '/commits/9fceb02d0ae598e95dc970b74767f19372d61af8')).toBe(
      'GET /commits/{id}',
    );
    expect(routeTemplate('GET', '/reset/us_tok_mfrggzdfmztwq2lkmfrggzdfmy')).toBe(
      'GET /reset/{id}',
    );
  });

  it('keeps words, versions and short names as they are', () => {
    expect(routeTemplate('GET', '/api/v2/products/search')).toBe('GET /api/v2/products/search');
    expect(routeTemplate('GET', '/blog/deadbeef')).toBe('GET /blog/deadbeef');
    expect(routeTemplate('GET', '/')).toBe('GET /');
    expect(routeTemplate('GET', 'http://shop.example.com/items/7?x=1')).toBe('GET /items/{id}');
  });
});

describe('route patterns', () => {
  it('match by method and whole segments, with * for one and ** for any number', () => {
    const cart = compileRoutePattern('POST /api/cart/**');
    expect(cart('POST', '/api/cart')).toBe(true);
    expect(cart('post', '/api/cart/items/3?x=1')).toBe(true);
    expect(cart('GET', '/api/cart/items')).toBe(false);
    expect(cart('POST', '/api/carts')).toBe(false);
    const one = compileRoutePattern('* /users/{id}/orders');
    expect(one('DELETE', '/users/9/orders')).toBe(true);
    expect(one('GET', '/users/9/10/orders')).toBe(false);
    const many = compileRoutePattern('GET,HEAD /files/*.json');
    expect(many('HEAD', '/files/a.json')).toBe(true);
    expect(many('GET', '/files/a.txt')).toBe(false);
    const any = compileRoutePattern('/healthz');
    expect(any('HEAD', '/healthz')).toBe(true);
    expect(any('GET', '/healthz/deep')).toBe(false);
  });

  it('the first matching rule wins', () => {
    const rules = [
      { match: compileRoutePattern('POST /api/search'), value: 'send' },
      { match: compileRoutePattern('POST /api/**'), value: 'skip' },
    ];
    expect(firstMatchingPattern(rules, 'POST', '/api/search')).toBe('send');
    expect(firstMatchingPattern(rules, 'POST', '/api/orders')).toBe('skip');
    expect(firstMatchingPattern(rules, 'POST', '/other')).toBeUndefined();
  });
});
