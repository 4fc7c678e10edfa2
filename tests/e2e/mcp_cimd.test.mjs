// Agents (docs/AGENTS.md), the metadata document route: the official MCP TypeScript SDK's
// client auth — auth() with an OAuthClientProvider whose clientMetadataUrl is the https
// URL of its client ID metadata document — against Clavis started with
// --metadata-document-service, the document served over https on loopback by a test CA
// (--fetch-ca-file, --fetch-allow-loopback): discovery from the MCP server's RFC 9728
// metadata, the URL as client_id (no registration), sign-in, the consent page with the
// document's host, code, token with aud = the MCP server, refresh, a tool call.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { auth } from '@modelcontextprotocol/sdk/client/auth.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startMcpServer, SCOPE } from '../../examples/mcp/server.mjs';
import { Browser, parseForm } from './browser.mjs';
import { startDocServer } from './docserver.mjs';
import { start, startSecondNode } from './harness.mjs';

const PASSWORD = 'agent-owner-pw-1';
const CALLBACK = 'http://127.0.0.1:7777/callback';

/** The SDK's OAuthClientProvider, kept in memory, with a client metadata document URL. */
class DocumentProvider {
  constructor(clientMetadataUrl, metadata) {
    this.clientMetadataUrl = clientMetadataUrl;
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

describe('MCP client auth (SDK) with a client ID metadata document', () => {
  let s;
  let node; // the authorization server: metadata documents on
  let mcp;
  let svc;
  let docs;

  before(async () => {
    docs = await startDocServer();
    s = await start();
    svc = await s.createService('agents');
    const u = await s.api('POST', '/admin/v1/users', { username: 'owner', password: PASSWORD });
    assert.equal(u.status, 201, u.text);
    node = await startSecondNode(s.db, ['--metadata-document-service', svc.id, '--fetch-allow-loopback',
      '--fetch-ca-file', docs.caFile]);
    mcp = await startMcpServer({ issuer: node.url });
    const r = await s.api('POST', `/admin/v1/services/${svc.id}/resources`,
      { identifier: mcp.url, name: 'example MCP server', scopes: [SCOPE] });
    assert.equal(r.status, 201, r.text);
  });
  after(async () => {
    await mcp?.close();
    await node?.stop();
    await s?.stop();
    await docs?.close();
  });

  test('the URL is the client_id: sign in, consent with its host, code, token for the MCP server, refresh, tool call', async () => {
    const metadata = { client_name: 'Document agent', redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'],
      token_endpoint_auth_method: 'none', scope: `openid ${SCOPE}` };
    const id = `${docs.url}/agent/client.json`;
    docs.set('/agent/client.json', { client_id: id, ...metadata }, { 'Cache-Control': 'max-age=300' });
    const provider = new DocumentProvider(id, metadata);

    assert.equal(await auth(provider, { serverUrl: mcp.url }), 'REDIRECT');
    assert.equal(provider.saved.client?.client_id, id, 'the SDK used the URL, no registration');
    const url = provider.authorizationUrl;
    assert.equal(url.searchParams.get('client_id'), id);
    assert.equal(url.searchParams.get('resource'), mcp.url);

    const b = new Browser();
    let r = await b.get(url);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    r = await b.post(parseForm(r.text).action, { ...parseForm(r.text).fields, username: 'owner', password: PASSWORD });
    assert.equal(r.status, 200, 'the consent page');
    assert.match(r.text, /Document agent/);
    assert.match(r.text, /identified by <strong>127\.0\.0\.1<\/strong>/);
    const form = parseForm(r.text);
    r = await b.post(form.action, { ...form.fields, consent: 'allow' });
    assert.equal(r.status, 302, r.text.slice(0, 300));
    const code = new URL(r.location).searchParams.get('code');
    assert.ok(code);

    assert.equal(await auth(provider, { serverUrl: mcp.url, authorizationCode: code }), 'AUTHORIZED');
    const first = provider.saved.tokens;
    const claims = jose.decodeJwt(first.access_token);
    assert.equal(claims.aud, mcp.url);
    assert.equal(claims.client_id, id);
    assert.ok(first.refresh_token);
    assert.equal(await auth(provider, { serverUrl: mcp.url }), 'AUTHORIZED');
    assert.notEqual(provider.saved.tokens.refresh_token, first.refresh_token);

    const c = new Client({ name: 'document-agent', version: '1.0.0' });
    await c.connect(new StreamableHTTPClientTransport(new URL(mcp.url), { authProvider: provider }));
    const out = await c.callTool({ name: 'whoami', arguments: {} });
    const who = JSON.parse(out.content[0].text);
    assert.equal(who.client_id, id);
    assert.equal(who.aud, mcp.url);
    await c.close();

    const shown = (await s.api('GET', `/admin/v1/clients/${encodeURIComponent(id)}`)).body;
    assert.equal(shown.registration, 'metadata_document');
    assert.equal(shown.service_id, svc.id);
    assert.equal(docs.hits('/agent/client.json'), 1, 'fetched once, then cached');
  });
});
