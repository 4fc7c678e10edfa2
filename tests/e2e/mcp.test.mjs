// Agents (docs/AGENTS.md): the official MCP TypeScript SDK's client auth — auth() with an
// OAuthClientProvider — through the whole flow against Clavis and the example MCP server
// of examples/mcp: discovery from the server's RFC 9728 metadata, RFC 7591 registration
// (open registration into the operator's service), sign-in, consent, code with PKCE,
// token with aud = the MCP server (RFC 8707), refresh; then a tool call the server
// answers only with that token.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startMcpServer, SCOPE } from '../../examples/mcp/server.mjs';
import { Browser, parseForm } from './browser.mjs';
import { start, startSecondNode } from './harness.mjs';

const PASSWORD = 'agent-owner-pw-1';
const CALLBACK = 'http://127.0.0.1:7777/callback';

/** The SDK's OAuthClientProvider, kept in memory; redirectToAuthorization records the URL. */
class MemoryProvider {
  constructor(metadata) {
    this.clientMetadata = metadata;
    this.redirectUrl = CALLBACK;
    this.saved = {};
  }
  clientInformation() { return this.saved.client; }
  saveClientInformation(info) { this.saved.client = info; }
  tokens() { return this.saved.tokens; }
  saveTokens(t) { this.saved.tokens = t; }
  redirectToAuthorization(url) { this.authorizationUrl = url; }
  saveCodeVerifier(v) { this.saved.verifier = v; }
  codeVerifier() { return this.saved.verifier; }
}

describe('MCP client auth (SDK) against Clavis', () => {
  let s;
  let node; // the node with open registration
  let mcp;
  let svc;

  before(async () => {
    s = await start();
    svc = await s.createService('agents');
    const u = await s.api('POST', '/admin/v1/users', { username: 'owner', password: PASSWORD });
    assert.equal(u.status, 201, u.text);
    // the authorization server of the MCP server: a node with open registration, on the
    // same database (its own issuer URL)
    node = await startSecondNode(s.db, ['--open-registration-service', svc.id]);
    mcp = await startMcpServer({ issuer: node.url });
    const r = await s.api('POST', `/admin/v1/services/${svc.id}/resources`,
      { identifier: mcp.url, name: 'example MCP server', scopes: [SCOPE] });
    assert.equal(r.status, 201, r.text);
  });
  after(async () => {
    await mcp?.close();
    await node?.stop();
    await s?.stop();
  });

  test('without a token the MCP server points at its metadata (RFC 9728 §5.1)', async () => {
    const r = await fetch(mcp.url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
  });

  test('registration route: discover, register, sign in, consent, code, token, refresh, tool call', async () => {
    const provider = new MemoryProvider({
      client_name: 'Test agent', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none',
    });
    assert.equal(await auth(provider, { serverUrl: mcp.url }), 'REDIRECT');
    const client = provider.saved.client;
    assert.ok(client?.client_id, 'the SDK registered a client');
    const shown = (await s.api('GET', `/admin/v1/clients/${encodeURIComponent(client.client_id)}`)).body;
    assert.equal(shown.service_id, svc.id);
    assert.equal(shown.first_party, false);

    const url = provider.authorizationUrl;
    assert.equal(url.origin, new URL(node.url).origin);
    assert.equal(url.searchParams.get('resource'), mcp.url, 'RFC 8707 resource sent');
    assert.equal(url.searchParams.get('code_challenge_method'), 'S256');

    // the browser: sign in, then the consent page (a registered client is not first-party)
    const b = new Browser();
    let r = await b.get(url);
    assert.equal(r.status, 200, r.text.slice(0, 200));
    r = await b.post(parseForm(r.text).action, { ...parseForm(r.text).fields, username: 'owner', password: PASSWORD });
    assert.equal(r.status, 200, 'the consent page');
    assert.match(r.text, /Test agent/);
    const form = parseForm(r.text);
    r = await b.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(r.status, 302, r.text.slice(0, 200));
    const back = new URL(r.location);
    assert.equal(`${back.origin}${back.pathname}`, CALLBACK);
    const code = back.searchParams.get('code');
    assert.ok(code);

    assert.equal(await auth(provider, { serverUrl: mcp.url, authorizationCode: code }), 'AUTHORIZED');
    const first = provider.saved.tokens;
    const claims = jose.decodeJwt(first.access_token);
    assert.equal(claims.aud, mcp.url);
    assert.equal(claims.iss, node.url);
    assert.equal(claims.client_id, client.client_id);
    assert.ok(first.refresh_token);

    // a refresh through the SDK: rotated, still for the MCP server
    assert.equal(await auth(provider, { serverUrl: mcp.url }), 'AUTHORIZED');
    const second = provider.saved.tokens;
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(jose.decodeJwt(second.access_token).aud, mcp.url);

    // the tool call with the SDK's transport and the provider's token
    const c = new Client({ name: 'test-agent', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    const out = await c.callTool({ name: 'whoami', arguments: {} });
    const who = JSON.parse(out.content[0].text);
    assert.equal(who.client_id, client.client_id);
    assert.equal(who.aud, mcp.url);
    await c.close();

    // a token for another API (here: the issuer as aud) is refused by the MCP server
    const other = await fetch(mcp.url, {
      method: 'POST', headers: { Authorization: `Bearer ${(await s.adminToken())}`, 'Content-Type': 'application/json' }, body: '{}',
    });
    assert.equal(other.status, 401);
    assert.match(other.headers.get('www-authenticate'), /invalid_token/);
  });
});
