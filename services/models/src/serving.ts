// Serving's tables: published names with their version history, API keys, the change counter
// serve polls, and the prediction log. Only this module writes SQL for them.
import { createHash, randomBytes } from 'node:crypto';
import type { BucketCount, WindowRow } from './monitoring.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  firstRow,
  withTransaction,
  type Pool,
  type PoolConnection,
  type ResultSetHeader,
  type RowDataPacket,
} from '@enchilada/core';
import { parseInputs } from './model-inputs.js';
import { schemaChanges, type ModelSchema } from './model-schema.js';

export const MODEL_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export interface PublishedName {
  readonly name: string;
  readonly modelId: number;
  readonly version: number;
  readonly updatedAt: Date;
  /** Who first published the name; only they (or an administrator) publish to it or roll it back. */
  readonly ownerId: number | null;
  /** The model serve scores every request with beside this one (logged, never answered), or null. */
  readonly challengerModelId: number | null;
}

/** Who asks to publish, and whether they confirmed a change of the name's task or columns. */
export interface PublishRules {
  readonly actor: { readonly id: number; readonly role: string };
  readonly confirm: boolean;
}

/** A new version would change what the name's clients send or get: the page shows `changes` and asks. */
export class SchemaChangeError extends ConflictError {
  constructor(
    readonly publishedName: string,
    readonly changes: readonly string[],
  ) {
    super(
      `publishing this model under "${publishedName}" changes what its clients send or get: ${changes.join('; ')}. Confirm to publish anyway`,
    );
  }
}

export interface PublishedVersion {
  readonly name: string;
  readonly version: number;
  readonly modelId: number;
  readonly action: 'publish' | 'rollback' | 'promote';
  readonly createdBy: number | null;
  readonly createdAt: Date;
}

async function bump(conn: PoolConnection): Promise<void> {
  await conn.query('UPDATE serving_changes SET counter = counter + 1 WHERE id = 1');
}

/** The change counter: moves on every publish, rollback, key creation and revocation, and tutorial-mode choice. */
export async function servingChanges(pool: Pool): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT counter FROM serving_changes WHERE id = 1');
  return rows[0] ? Number(rows[0].counter) : 0;
}

export class PublishedModels {
  constructor(private readonly pool: Pool) {}

  /**
   * Points `name` at `modelId` as its next version (creating the name, owned by `userId`); returns
   * that version. With `rules`, only the name's owner or an administrator may, and a model whose
   * task or columns differ from the current one's needs `confirm` — checked under the name's row
   * lock, so two publishes cannot both pass the check against the same old version.
   */
  async publish(
    name: string,
    modelId: number,
    userId: number | null,
    action: 'publish' | 'rollback' | 'promote' = 'publish',
    rules?: PublishRules,
  ): Promise<number> {
    if (!MODEL_NAME.test(name)) throw new RangeError(`invalid model name ${JSON.stringify(name)}`);
    return withTransaction(this.pool, async (conn) => {
      const [cur] = await conn.query<RowDataPacket[]>(
        'SELECT version, model_id, owner_id FROM published_models WHERE name = ? FOR UPDATE',
        [name],
      );
      const version = cur[0] ? Number(cur[0].version) + 1 : 1;
      if (cur[0] && rules) {
        const owner = cur[0].owner_id === null ? null : Number(cur[0].owner_id);
        if (owner !== rules.actor.id && rules.actor.role !== 'admin') {
          throw new ForbiddenError(
            `the name "${name}" belongs to the person who first published it: only they or an administrator can ${action === 'rollback' ? 'roll it back' : 'publish to it'}; choose another name`,
          );
        }
        if (!rules.confirm) {
          const changes = await this.changes(conn, Number(cur[0].model_id), modelId);
          if (changes.length) throw new SchemaChangeError(name, changes);
        }
      }
      if (cur.length) {
        await conn.query(
          'UPDATE published_models SET model_id = ?, version = ?, updated_by = ?, updated_at = CURRENT_TIMESTAMP(3) WHERE name = ?',
          [modelId, version, userId, name],
        );
        // A challenger published as the champion is no longer a challenger.
        await conn.query(
          'UPDATE published_models SET challenger_model_id = NULL WHERE name = ? AND challenger_model_id = ?',
          [name, modelId],
        );
      } else {
        await conn.query(
          'INSERT INTO published_models (name, model_id, version, updated_by, owner_id) VALUES (?, ?, ?, ?, ?)',
          [name, modelId, version, userId, userId],
        );
      }
      await conn.query(
        'INSERT INTO published_model_versions (name, version, model_id, action, created_by) VALUES (?, ?, ?, ?, ?)',
        [name, version, modelId, action, userId],
      );
      await bump(conn);
      return version;
    });
  }

  private async changes(conn: PoolConnection, currentId: number, nextId: number): Promise<string[]> {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT id, task, features, inputs FROM models WHERE id IN (?, ?)',
      [currentId, nextId],
    );
    const schema = (id: number): ModelSchema | null => {
      const r = rows.find((x) => Number(x.id) === id);
      return r
        ? {
            task: r.task === 'regression' ? 'regression' : 'classification',
            features: JSON.parse(String(r.features)) as string[],
            inputs: parseInputs(r.inputs),
          }
        : null;
    };
    const next = schema(nextId);
    if (!next) throw new NotFoundError('there is no such model (it may have been deleted)');
    const current = schema(currentId);
    // The model a name serves cannot be deleted, so a missing one is a hand-edited table: nothing to compare.
    return current ? schemaChanges(current, next) : [];
  }

  /** Points `name` again at the model of an earlier version, as a new version. */
  async rollback(name: string, toVersion: number, userId: number | null, rules?: PublishRules): Promise<number | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT model_id FROM published_model_versions WHERE name = ? AND version = ?',
      [name, toVersion],
    );
    if (!rows[0]) return null;
    return this.publish(name, Number(rows[0].model_id), userId, 'rollback', rules);
  }

  /** The name's owner, or undefined when nothing is published under it. */
  async owner(name: string): Promise<number | null | undefined> {
    const [rows] = await this.pool.query<RowDataPacket[]>('SELECT owner_id FROM published_models WHERE name = ?', [
      name,
    ]);
    return rows[0] ? (rows[0].owner_id === null ? null : Number(rows[0].owner_id)) : undefined;
  }

  async list(): Promise<PublishedName[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT name, model_id, version, updated_at, owner_id, challenger_model_id FROM published_models ORDER BY name',
    );
    return rows.map((r) => ({
      name: String(r.name),
      modelId: Number(r.model_id),
      version: Number(r.version),
      updatedAt: new Date(r.updated_at),
      ownerId: r.owner_id === null ? null : Number(r.owner_id),
      challengerModelId: r.challenger_model_id === null ? null : Number(r.challenger_model_id),
    }));
  }

  async history(name?: string): Promise<PublishedVersion[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT name, version, model_id, action, created_by, created_at FROM published_model_versions
       ${name === undefined ? '' : 'WHERE name = ?'} ORDER BY name, version DESC`,
      name === undefined ? [] : [name],
    );
    return rows.map((r) => ({
      name: String(r.name),
      version: Number(r.version),
      modelId: Number(r.model_id),
      action: r.action === 'rollback' || r.action === 'promote' ? r.action : 'publish',
      createdBy: r.created_by === null ? null : Number(r.created_by),
      createdAt: new Date(r.created_at),
    }));
  }
}

export interface ApiKey {
  readonly id: number;
  readonly prefix: string;
  readonly label: string;
  /** The one name the key may call, or null for every name. */
  readonly scope: string | null;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export interface ApiKeyWithHash extends ApiKey {
  readonly hash: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

function toKey(r: RowDataPacket): ApiKeyWithHash {
  return {
    id: Number(r.id),
    hash: String(r.key_hash),
    prefix: String(r.prefix),
    label: String(r.label),
    scope: r.scope_name === null ? null : String(r.scope_name),
    createdAt: new Date(r.created_at),
    revokedAt: r.revoked_at === null ? null : new Date(r.revoked_at),
  };
}

export class ApiKeys {
  constructor(private readonly pool: Pool) {}

  /** Creates a key; the key itself is returned once and only its hash is stored. */
  async create(label: string, scope: string | null, userId: number | null): Promise<{ id: number; key: string }> {
    // 256 random bits: a plain SHA-256 is enough, no slow hash needed against guessing.
    const key = `ek_${randomBytes(32).toString('base64url')}`;
    const id = await withTransaction(this.pool, async (conn) => {
      const [res] = await conn.query<ResultSetHeader>(
        'INSERT INTO api_keys (key_hash, prefix, label, scope_name, created_by) VALUES (?, ?, ?, ?, ?)',
        [hashApiKey(key), key.slice(0, 10), label, scope, userId],
      );
      await bump(conn);
      return res.insertId;
    });
    return { id, key };
  }

  async revoke(id: number): Promise<boolean> {
    return withTransaction(this.pool, async (conn) => {
      const [res] = await conn.query<ResultSetHeader>(
        'UPDATE api_keys SET revoked_at = CURRENT_TIMESTAMP(3) WHERE id = ? AND revoked_at IS NULL',
        [id],
      );
      await bump(conn);
      return res.affectedRows > 0;
    });
  }

  /** Every key with its hash (serve's in-memory check; revoked keys included so they can be named as such). */
  async all(): Promise<ApiKeyWithHash[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT id, key_hash, prefix, label, scope_name, created_at, revoked_at FROM api_keys ORDER BY id',
    );
    return rows.map(toKey);
  }

  async list(): Promise<ApiKey[]> {
    return (await this.all()).map(({ hash: _hash, ...k }) => k);
  }
}

/**
 * Which published name the keyless tutorial routes answer for: `{ chosen: false }` when nobody has
 * chosen on the Published page (serve then uses SEED_MODEL_NAME), else the chosen name or null (off).
 */
export type TutorialChoice =
  | { readonly chosen: false }
  | {
      readonly chosen: true;
      readonly name: string | null;
      readonly updatedBy: number | null;
      readonly updatedAt: Date;
    };

export class TutorialMode {
  constructor(private readonly pool: Pool) {}

  async get(): Promise<TutorialChoice> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      'SELECT name, updated_by, updated_at FROM tutorial_mode WHERE id = 1',
    );
    const r = rows[0];
    if (!r) return { chosen: false };
    return {
      chosen: true,
      name: r.name === null ? null : String(r.name),
      updatedBy: r.updated_by === null ? null : Number(r.updated_by),
      updatedAt: new Date(r.updated_at),
    };
  }

  /** Chooses `name` (null: turns tutorial mode off); serve follows within a poll, like a publish. */
  async set(name: string | null, userId: number | null): Promise<void> {
    if (name !== null && !MODEL_NAME.test(name)) throw new RangeError(`invalid model name ${JSON.stringify(name)}`);
    await withTransaction(this.pool, async (conn) => {
      await conn.query(
        `INSERT INTO tutorial_mode (id, name, updated_by) VALUES (1, ?, ?)
        ON DUPLICATE KEY UPDATE name = VALUES(name), updated_by = VALUES(updated_by), updated_at = CURRENT_TIMESTAMP(3)`,
        [name, userId],
      );
      await bump(conn);
    });
  }
}

export interface NewPrediction {
  readonly modelName: string;
  readonly modelId: number;
  readonly version: number;
  readonly clientId: string;
  readonly observation: string;
  readonly output: string;
  readonly latencyMs: number;
  /** Asked with "explain": its base value and contributions as answered (JSON); absent or null otherwise. */
  readonly contributions?: string | null;
  /** 'champion' (answered; the default) or 'challenger' (scored beside it, logged only). */
  readonly role?: PredictionRole;
}

export type PredictionRole = 'champion' | 'challenger';

export interface StoredPrediction {
  readonly rowId: number;
  readonly modelName: string;
  readonly modelId: number;
  readonly version: number;
  readonly clientId: string;
  readonly observation: unknown;
  readonly output: unknown;
  readonly latencyMs: number;
  readonly createdAt: Date;
  readonly outcome: unknown;
  readonly outcomeAt: Date | null;
  /** The explanation answered with the prediction (base_value, contributions, explanation), or null. */
  readonly contributions?: unknown;
}

export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ER_DUP_ENTRY';
}

function toPrediction(r: RowDataPacket): StoredPrediction {
  return {
    rowId: Number(r.id),
    modelName: String(r.model_name),
    modelId: Number(r.model_id),
    version: Number(r.version),
    clientId: String(r.client_id),
    observation: JSON.parse(String(r.observation)) as unknown,
    output: JSON.parse(String(r.output)) as unknown,
    latencyMs: Number(r.latency_ms),
    createdAt: new Date(r.created_at),
    outcome: r.outcome === null ? null : (JSON.parse(String(r.outcome)) as unknown),
    outcomeAt: r.outcome_at === null ? null : new Date(r.outcome_at),
    contributions:
      r.contributions === undefined || r.contributions === null
        ? null
        : (JSON.parse(String(r.contributions)) as unknown),
  };
}

export interface PredictionFilter {
  readonly modelName?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly withOutcome?: boolean;
  /** Only rows with a smaller row id (keyset paging). */
  readonly beforeId?: number;
}

function whereOf(f: PredictionFilter): { where: string; args: (string | number | Date)[] } {
  const parts: string[] = [];
  const args: (string | number | Date)[] = [];
  if (f.modelName !== undefined) {
    parts.push('model_name = ?');
    args.push(f.modelName);
  }
  if (f.from !== undefined) {
    parts.push('created_at >= ?');
    args.push(f.from);
  }
  if (f.to !== undefined) {
    parts.push('created_at < ?');
    args.push(f.to);
  }
  if (f.withOutcome !== undefined) parts.push(f.withOutcome ? 'outcome IS NOT NULL' : 'outcome IS NULL');
  if (f.beforeId !== undefined) {
    parts.push('id < ?');
    args.push(f.beforeId);
  }
  // What was answered: a challenger's rows are read by ChallengerLog only.
  parts.push("role = 'champion'");
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', args };
}

export type OutcomeResult =
  | { status: 'set'; prediction: StoredPrediction }
  | { status: 'unknown' }
  | { status: 'already-set'; prediction: StoredPrediction };

export class Predictions {
  constructor(private readonly pool: Pool) {}

  /**
   * Inserts rows in one statement (autocommit: one commit, all or nothing). A duplicate client id
   * throws the driver's ER_DUP_ENTRY and stores none of the rows.
   */
  async insert(rows: readonly NewPrediction[]): Promise<void> {
    if (!rows[0]) return;
    // the contributions column only when a row has them: unexplained predictions write what they always did
    const explained = rows.some((r) => r.contributions);
    const values: (string | number | null)[] = [];
    for (const r of rows) {
      values.push(
        r.modelName,
        r.modelId,
        r.version,
        r.clientId,
        r.observation,
        r.output,
        r.latencyMs,
        r.role ?? 'champion',
      );
      if (explained) values.push(r.contributions ?? null);
    }
    await this.pool.query(
      explained
        ? `INSERT INTO predictions (model_name, model_id, version, client_id, observation, output, latency_ms, role, contributions) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`
        : `INSERT INTO predictions (model_name, model_id, version, client_id, observation, output, latency_ms, role) VALUES ${rows.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
      values,
    );
  }

  async get(modelName: string, clientId: string): Promise<StoredPrediction | null> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, model_name, model_id, version, client_id, observation, output, latency_ms, created_at, outcome, outcome_at, contributions
       FROM predictions WHERE model_name = ? AND client_id = ? AND role = 'champion'`,
      [modelName, clientId],
    );
    return rows[0] ? toPrediction(rows[0]) : null;
  }

  async setOutcome(modelName: string, clientId: string, outcome: unknown, replace: boolean): Promise<OutcomeResult> {
    const [res] = await this.pool.query<ResultSetHeader>(
      `UPDATE predictions SET outcome = ?, outcome_at = CURRENT_TIMESTAMP(3)
       WHERE model_name = ? AND client_id = ? AND (outcome IS NULL OR ? = 1)`,
      [JSON.stringify(outcome), modelName, clientId, replace ? 1 : 0],
    );
    const stored = await this.get(modelName, clientId);
    if (!stored) return { status: 'unknown' };
    return res.affectedRows > 0 ? { status: 'set', prediction: stored } : { status: 'already-set', prediction: stored };
  }

  /** Newest first, filtered. */
  async list(filter: PredictionFilter, limit: number, offset = 0): Promise<StoredPrediction[]> {
    const { where, args } = whereOf(filter);
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT id, model_name, model_id, version, client_id, observation, output, latency_ms, created_at, outcome, outcome_at, contributions
       FROM predictions ${where} ORDER BY id DESC LIMIT ? OFFSET ?`,
      [...args, Math.min(limit, 10000), offset],
    );
    return rows.map(toPrediction);
  }

  /** The newest `limit` rows of one name in [from, to), oldest first, for the monitoring figures. */
  async window(modelName: string, from: Date, to: Date, limit = 100_000): Promise<WindowRow[]> {
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT created_at, latency_ms, output, outcome, observation FROM predictions
       WHERE model_name = ? AND created_at >= ? AND created_at < ? AND role = 'champion' ORDER BY id DESC LIMIT ?`,
      [modelName, from, to, limit],
    );
    return rows.reverse().map((r) => ({
      createdAt: new Date(r.created_at),
      latencyMs: Number(r.latency_ms),
      output: JSON.parse(String(r.output)) as WindowRow['output'],
      outcome: r.outcome === null ? null : (JSON.parse(String(r.outcome)) as unknown),
      observation: JSON.parse(String(r.observation)) as Record<string, unknown>,
    }));
  }

  /** Predictions and those with outcomes per bucket of `bucketMinutes` over [from, to), counted in SQL. */
  async windowCounts(modelName: string, from: Date, to: Date, bucketMinutes: number): Promise<BucketCount[]> {
    const width = Math.max(1, Math.round(bucketMinutes)) * 60;
    const [rows] = await this.pool.query<RowDataPacket[]>(
      `SELECT FLOOR(UNIX_TIMESTAMP(created_at) / ?) AS b, COUNT(*) AS n, SUM(outcome IS NOT NULL) AS o FROM predictions
       WHERE model_name = ? AND created_at >= ? AND created_at < ? AND role = 'champion' GROUP BY b ORDER BY b`,
      [width, modelName, from, to],
    );
    return rows.map((r) => ({
      start: new Date(Number(r.b) * width * 1000),
      count: Number(r.n),
      withOutcome: Number(r.o),
    }));
  }

  async countWhere(filter: PredictionFilter): Promise<number> {
    const { where, args } = whereOf(filter);
    const [rows] = await this.pool.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM predictions ${where}`, args);
    return Number(firstRow(rows, 'the count').n);
  }
}
