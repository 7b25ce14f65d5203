import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ZodError } from 'zod';
import type { Database } from '../../src/db/connect.ts';
import { RunEventBus, RunEventLog, type RunEvent, type RunEventInput } from '../../src/events/run-events.ts';
import { createRedactor, REDACTED } from '../../src/redact.ts';
import { backendName, openTestDatabase } from './backend.ts';
import { seedRun, seedTicket } from './fixtures.ts';

const SECRET = 'hunter2-super-secret-value';

describe(`run events [${backendName}]`, () => {
  let db: Database;
  let bus: RunEventBus;
  let log: RunEventLog;
  let emitted: RunEvent[];
  beforeAll(async () => {
    db = await openTestDatabase();
    bus = new RunEventBus();
    emitted = [];
    bus.on('event', (event) => emitted.push(event));
    log = new RunEventLog(db.knex, createRedactor([SECRET]), bus);
  });
  afterAll(async () => {
    await db?.close();
  });

  const newRun = async () => seedRun(db.knex, (await seedTicket(db.knex)).id);

  test('append assigns a gap-free seq 1..n per run', async () => {
    const a = await newRun();
    const b = await newRun();
    const seqA: number[] = [];
    const seqB: number[] = [];
    for (let i = 0; i < 4; i++) seqA.push((await log.append(a.id, { type: 'info', message: `a${i}` })).seq);
    for (let i = 0; i < 2; i++) seqB.push((await log.append(b.id, { type: 'info', message: `b${i}` })).seq);
    seqA.push((await log.append(a.id, { type: 'success', message: 'a done' })).seq);
    expect(seqA).toEqual([1, 2, 3, 4, 5]);
    expect(seqB).toEqual([1, 2]);
    expect((await log.list(a.id)).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  test('append stores every field and returns what list reads back', async () => {
    const run = await newRun();
    const stored = await log.append(run.id, { type: 'summary', step: 'answer', progress: 100, message: 'All done', data: { tokens: 12, nested: { ok: true } } });
    expect(stored).toMatchObject({ runId: run.id, seq: 1, type: 'summary', step: 'answer', progress: 100, message: 'All done', data: { tokens: 12, nested: { ok: true } } });
    expect(stored.createdAt).toBeInstanceOf(Date);
    const [listed] = await log.list(run.id);
    expect(listed).toEqual(stored);
    const bare = await log.append(run.id, { type: 'info', message: 'no extras' });
    expect(bare).not.toHaveProperty('data');
    expect((await log.list(run.id, 1))[0]).toEqual(bare);
  });

  test('a secret passed to the redactor is redacted in message and data, stored and emitted', async () => {
    const run = await newRun();
    const before = emitted.length;
    const event = await log.append(run.id, {
      type: 'warning',
      message: `clone failed for https://x:${SECRET}@github.com and token ${SECRET}`,
      data: { token: SECRET, nested: { note: `the key is ${SECRET}.` }, list: [SECRET] },
    });
    const texts = [JSON.stringify(event), JSON.stringify(await log.list(run.id)), JSON.stringify(emitted.slice(before))];
    for (const text of texts) {
      expect(text).not.toContain(SECRET);
      expect(text).toContain(REDACTED);
    }
    expect(event.data).toEqual({ token: REDACTED, nested: { note: `the key is ${REDACTED}.` }, list: [REDACTED] });
    const row = await db.knex('run_events').where({ run_id: run.id }).first();
    expect(JSON.stringify(row)).not.toContain(SECRET);
  });

  test('append emits the stored event on the bus', async () => {
    const run = await newRun();
    const before = emitted.length;
    const stored = await log.append(run.id, { type: 'info', step: 'read', progress: 10, message: 'Reading the thread' });
    expect(emitted.slice(before)).toEqual([stored]);
  });

  test.each<[string, RunEventInput]>([
    ['an unknown type', { type: 'debug' as RunEventInput['type'], message: 'x' }],
    ['progress above 100', { type: 'info', progress: 101, message: 'x' }],
    ['negative progress', { type: 'info', progress: -1, message: 'x' }],
    ['fractional progress', { type: 'info', progress: 12.5, message: 'x' }],
    ['an empty message', { type: 'info', message: '' }],
  ])('rejects %s with a zod error, storing and emitting nothing', async (_name, input) => {
    const run = await newRun();
    await log.append(run.id, { type: 'info', message: 'first' });
    const before = emitted.length;
    await expect(log.append(run.id, input)).rejects.toBeInstanceOf(ZodError);
    expect(emitted.length).toBe(before);
    expect((await log.list(run.id)).map((e) => e.message)).toEqual(['first']);
    // No gap either: the next valid event is seq 2.
    expect((await log.append(run.id, { type: 'info', message: 'second' })).seq).toBe(2);
  });

  test('list(afterSeq) returns only later events, in order', async () => {
    const run = await newRun();
    for (const message of ['one', 'two', 'three', 'four']) await log.append(run.id, { type: 'info', message });
    expect((await log.list(run.id, 2)).map((e) => [e.seq, e.message])).toEqual([[3, 'three'], [4, 'four']]);
    expect(await log.list(run.id, 4)).toEqual([]);
    expect((await log.list(run.id, 0)).map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    expect(await log.list(999_999)).toEqual([]);
  });
});
