import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// n8n-core writes an instance key to $N8N_USER_FOLDER/.n8n/config on first use (else into $HOME).
// Imported before n8n-core so that its config classes see the variable.
process.env.N8N_USER_FOLDER ??= mkdtempSync(join(tmpdir(), 'n8n-harness-'));
