-- mcpgate: demo documents for a local or test server.
--
-- Usage, after sql/install.sql:
--
--   psql -d DB -f sql/demo.sql
--
-- Loads public documents doc-1 .. doc-10 about running mcpgate, so the search
-- and fetch tools have something to find. Idempotent: running it again
-- rewrites only documents whose demo text changed (and makes any of them public
-- again); other documents are untouched. No users and no tools: those come
-- from their own scripts. Plain SQL, one statement.
--
-- url is left NULL: these pages have no public home.

INSERT INTO mcpgate.documents AS d (doc_id, title, body, metadata, language)
SELECT v.doc_id, v.title, btrim(v.body, E'\n'), v.metadata::jsonb, v.language
FROM (VALUES
('doc-1', 'What is mcpgate?', $doc$
mcpgate publishes a knowledge base, and any tool you can write as a SQL function, to ChatGPT, Claude and other MCP clients. It is an MCP server with its own OAuth 2.1 authorization server, written in C as a handful of small FastCGI programs, with PostgreSQL holding all state.

It is built for ordinary web hosting: Apache (mod_fcgid or plain CGI) or lighttpd sits in front, handles TLS and starts the programs on demand. There is no daemon to keep running and no Node.js or Python runtime to install. One program answers each endpoint: the OAuth metadata documents, dynamic client registration, the login and consent pages, the token endpoint, and the MCP endpoint itself at /mcp.

Out of the box an installation offers two tools, search and fetch, backed by PostgreSQL full-text search over the documents table. That is the pair ChatGPT connectors and deep research expect. Site owners add more tools by writing a SQL function and inserting a row into mcpgate.tools; no C code and no rebuild are needed.
$doc$, '{"category": "overview"}', 'english'),

('doc-2', 'Installing mcpgate on a shared host', $doc$
You need a host that runs CGI or FastCGI programs over HTTPS, and a PostgreSQL 15 (or newer) database you can reach with psql.

1. Create the schema. From the mcpgate source tree run: psql -d yourdb -f sql/install.sql. It creates everything inside one schema, mcpgate, in one transaction, and refuses to run twice on the same database.
2. Copy the built programs into cgi-bin/ and the files from htdocs/ (including .htaccess) into your web root.
3. Write the configuration file. The issuer must be the public origin of the site (for example https://kb.example.org, no path); every URL in the metadata is built from it, never from the Host header. Point the programs at the file with SetEnv MCPGATE_CONFIG in .htaccess.
4. Apache only passes the Authorization header to CGI programs when told to: keep CGIPassAuth On in the .htaccess, or every MCP request will look unauthenticated.
5. Check the metadata: https://kb.example.org/.well-known/oauth-authorization-server and https://kb.example.org/.well-known/oauth-protected-resource/mcp must both return JSON.

The well-known URLs live at the root of the origin, so even an installation in a subdirectory needs rewrites at the root.
$doc$, '{"category": "installation"}', 'english'),

('doc-3', 'Connecting ChatGPT', $doc$
ChatGPT talks to mcpgate as a custom connector. Turn on developer mode in ChatGPT's settings, create a new connector, give it a name and the MCP server URL, for example https://kb.example.org/mcp, and choose OAuth as the authentication.

ChatGPT then discovers everything by itself. It reads the protected resource metadata, finds mcpgate's authorization server, registers a client (dynamic client registration) and opens the mcpgate login page in a browser window. Log in, check the client name and the redirect address shown on the consent page, and approve. ChatGPT receives a code, exchanges it for tokens with PKCE, and lists the tools.

ChatGPT's callback address has the form https://chatgpt.com/connector/oauth/ followed by an id per connector. If your configuration restricts redirect URIs at registration, allow that prefix; authorization itself still matches the registered address exactly.

Deep research and read-only connectors use the search and fetch tools. Tools that are not marked readOnlyHint are treated as write actions and ChatGPT asks the user to confirm each call.
$doc$, '{"category": "clients"}', 'english'),

('doc-4', 'Connecting Claude', $doc$
In Claude (claude.ai, the desktop app or the mobile apps), open Settings, then Connectors, choose Add custom connector and paste the MCP server URL, for example https://kb.example.org/mcp. Leave the advanced OAuth fields empty: Claude registers its own client.

Claude opens the mcpgate login page, you log in and approve the consent page, and the connector appears with its tools. The callback Claude uses is https://claude.ai/api/mcp/auth_callback.

Claude registers a new client each time a connector is set up afresh, so the clients table grows over time; unused dynamic clients can be removed by an administrator. Claude asks for the client_secret_post authentication method; mcpgate records the method it actually grants and Claude follows the registration response.

If Claude reports that it cannot connect, check that /.well-known/oauth-protected-resource/mcp is reachable and that the Authorization header reaches the programs (CGIPassAuth On on Apache).
$doc$, '{"category": "clients"}', 'english'),

('doc-5', 'How the OAuth flow works', $doc$
Every MCP request carries an access token issued by mcpgate itself. A client without one gets 401 with a WWW-Authenticate header pointing at the protected resource metadata, which names mcpgate as the authorization server.

The client registers (RFC 7591) and sends the user to /mcp/authorize with a PKCE code challenge (S256 only) and the resource it wants, the canonical URL of the MCP endpoint. The user logs in and consents. mcpgate redirects back with a one-time code, the state and the iss parameter.

At /mcp/token the client trades the code and its PKCE verifier for an access token and a refresh token, both bound to that resource. A code works once: a second attempt is refused and the tokens issued from the code are revoked. Refresh tokens rotate on every use. When several workers of the same client refresh at once, they receive the same new pair for a short grace window; a rotated refresh token presented after the window revokes the whole grant.

Codes, tokens, client secrets and session cookies are stored only as SHA-256 hashes, and passwords as argon2id, so a copy of the database cannot be used to call the server.
$doc$, '{"category": "security"}', 'english'),

('doc-6', 'Adding a tool as a SQL function', $doc$
A tool is a row in mcpgate.tools that names a SQL function taking (args jsonb, ctx jsonb) and returning jsonb. args are the arguments the model sent; ctx describes the caller. The function returns the MCP tool result, an object with a content array.

Example, a tool that counts the public documents:

CREATE FUNCTION public.tool_doc_count(args jsonb, ctx jsonb) RETURNS jsonb
LANGUAGE sql STABLE AS $fn$
  SELECT jsonb_build_object('content', jsonb_build_array(jsonb_build_object(
    'type', 'text', 'text', count(*)::text || ' public documents')))
  FROM mcpgate.documents WHERE owner_id IS NULL
$fn$;

INSERT INTO mcpgate.tools (name, title, description, input_schema, annotations, function)
VALUES ('doc_count', 'Count documents', 'Number of public documents in the knowledge base.',
        '{"type": "object", "properties": {}}',
        '{"readOnlyHint": true, "openWorldHint": false}',
        'public.tool_doc_count(jsonb, jsonb)');

mcpgate checks the signature when the row is written and stores the function schema-qualified. Give every tool a title and the right hints: ChatGPT asks for confirmation before calling tools without readOnlyHint, and the Claude directory requires them. Validate args inside the function and return a result with isError true, rather than raising, when they are wrong. Set required_scope to restrict a tool to tokens that carry that scope. The function runs as the database role of the mcpgate programs, so grant it only what the tool needs.
$doc$, '{"category": "tools"}', 'english'),

('doc-7', 'Adding documents to the knowledge base', $doc$
Documents live in mcpgate.documents. Each has a stable id (doc_id, used by fetch and in resource links), a title, a body of plain text or Markdown, an optional citation URL and a metadata object of string values.

INSERT INTO mcpgate.documents (doc_id, title, body, url)
VALUES ('handbook-1', 'Opening hours', 'We are open Monday to Friday, 9 to 17.', 'https://example.org/hours')
ON CONFLICT (doc_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, url = EXCLUDED.url;

A document with no owner is public: every user who connects can find it. Set owner_id to a user's id to make a document visible to that user only.

The full-text index is kept up to date automatically: the tsv column is generated from the title (weighted higher) and the body in the document's language, english by default. Set language to another PostgreSQL text search configuration, such as german or simple, for documents in other languages. The search tool understands web-style queries: quoted phrases, OR, and a leading minus to exclude a word.
$doc$, '{"category": "content"}', 'english'),

('doc-8', 'Backing up and restoring', $doc$
All of mcpgate's state is in the mcpgate schema of your database, so a backup is one command:

pg_dump -Fc -n mcpgate -f mcpgate.dump yourdb

Add the schemas of your own tool functions with more -n options, or dump the whole database. Restore into an empty database with pg_restore -d newdb mcpgate.dump. Keep the configuration file with the backup: it is not in the database.

A dump contains no usable credential. Tokens, codes, client secrets and session cookies are stored as SHA-256 hashes and passwords as argon2id hashes, so nobody can call the server or log in with what is in a dump. Treat it as confidential all the same: it holds your documents, user names and the audit log.

After a restore, existing tokens keep working, because their hashes are restored with them. To force every client to sign in again, delete the rows of mcpgate.token_families: their tokens go with them.
$doc$, '{"category": "operations"}', 'english'),

('doc-9', 'Upgrading mcpgate', $doc$
Install the new programs, then bring the database schema up to date with the upgrade script of the same release:

psql -d yourdb -f sql/upgrade.sql

It needs nothing but psql. It reads the schema version recorded in mcpgate.schema_version and applies, in order, each numbered migration from sql/migrations/ that the database has not had yet, every one in its own transaction. If one fails, the script stops and the database stays at the last version that completed; fix the cause and run it again. At the latest version it does nothing.

upgrade.sql refuses to run on a database without mcpgate (use install.sql there) and on a database newer than the release it comes from. Take a backup first.

PostgreSQL itself can be upgraded with pg_upgrade or pg_dump: mcpgate avoids column types that pg_upgrade cannot carry over.
$doc$, '{"category": "operations"}', 'english'),

('doc-10', 'Routine maintenance', $doc$
Expired authorization codes, tokens, login sessions and rate-limit counters stay in the database until they are purged. Run this regularly, for example from cron every hour:

psql -d yourdb -c 'SELECT mcpgate.purge_expired()'

It returns how many rows of each kind it removed. Codes and tokens are kept one day past their expiry, so a late replay is still recognised and logged as one.

The audit log in mcpgate.audit_log records logins, consents, registrations, token issues, refreshes and revocations, with the IP address. It never contains a password or token. It is not purged automatically; delete old rows when your retention policy says so, for example: DELETE FROM mcpgate.audit_log WHERE at < now() - interval '1 year'.

Login attempts, registrations and token requests are rate limited per address and per account with fixed time windows. A client over the limit is refused until its window ends, and the reply says how many seconds to wait.
$doc$, '{"category": "operations"}', 'english')
) AS v (doc_id, title, body, metadata, language)
ON CONFLICT (doc_id) DO UPDATE
   SET title    = EXCLUDED.title,
       url      = EXCLUDED.url,
       body     = EXCLUDED.body,
       metadata = EXCLUDED.metadata,
       language = EXCLUDED.language,
       owner_id = EXCLUDED.owner_id
 WHERE (d.title, d.url, d.body, d.metadata, d.language, d.owner_id)
       IS DISTINCT FROM
       (EXCLUDED.title, EXCLUDED.url, EXCLUDED.body, EXCLUDED.metadata, EXCLUDED.language, EXCLUDED.owner_id);
