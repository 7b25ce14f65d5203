import { describe, test, expect } from '@jest/globals';
import { CoalescingEditor } from '../../src/reporting/comment-editor.ts';

// Real timers throughout: the editor's behaviour is about wall-clock spacing.
const INTERVAL = 100;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Recorder {
  writes: string[];
  startedAt: number[];
  inFlight: number;
  maxInFlight: number;
  errors: unknown[];
}

function recorder(): Recorder {
  return { writes: [], startedAt: [], inFlight: 0, maxInFlight: 0, errors: [] };
}

/** A write that records what it saw; `delayMs` simulates GitHub latency and `fail` a failing call. */
function writer(rec: Recorder, options: { delayMs?: number; fail?: (body: string) => boolean } = {}) {
  return async (body: string): Promise<void> => {
    rec.inFlight += 1;
    rec.maxInFlight = Math.max(rec.maxInFlight, rec.inFlight);
    rec.startedAt.push(performance.now());
    try {
      if (options.delayMs) await sleep(options.delayMs);
      if (options.fail?.(body)) throw new Error(`write failed: ${body}`);
      rec.writes.push(body);
    } finally {
      rec.inFlight -= 1;
    }
  };
}

function editorFor(rec: Recorder, options: { delayMs?: number; fail?: (body: string) => boolean } = {}) {
  return new CoalescingEditor({ write: writer(rec, options), minIntervalMs: INTERVAL, onError: (e) => rec.errors.push(e) });
}

describe('CoalescingEditor', () => {
  test('a burst of 20 updates yields at most 3 writes and the last body wins', async () => {
    const rec = recorder();
    const editor = editorFor(rec);
    for (let i = 1; i <= 20; i++) editor.update(`progress ${i}`);
    await editor.idle();
    expect(rec.writes.length).toBeGreaterThanOrEqual(2);
    expect(rec.writes.length).toBeLessThanOrEqual(3);
    expect(rec.writes[0]).toBe('progress 1');
    expect(rec.writes.at(-1)).toBe('progress 20');
    expect(rec.errors).toEqual([]);
  });

  test('writes are spaced by at least the interval', async () => {
    const rec = recorder();
    const editor = editorFor(rec);
    for (let i = 1; i <= 12; i++) {
      editor.update(`step ${i}`);
      await sleep(25);
    }
    await editor.idle();
    expect(rec.writes.length).toBeGreaterThanOrEqual(3);
    expect(rec.writes.at(-1)).toBe('step 12');
    for (let i = 1; i < rec.startedAt.length; i++) {
      // performance.now() is fractional; allow for timer rounding below a millisecond.
      expect((rec.startedAt[i] ?? 0) - (rec.startedAt[i - 1] ?? 0)).toBeGreaterThanOrEqual(INTERVAL - 1);
    }
  });

  test('an update after a quiet period is written at once', async () => {
    const rec = recorder();
    const editor = editorFor(rec);
    editor.update('one');
    await sleep(INTERVAL + 20);
    const before = performance.now();
    editor.update('two');
    await editor.idle();
    expect(rec.writes).toEqual(['one', 'two']);
    expect((rec.startedAt[1] ?? 0) - before).toBeLessThan(20);
  });

  test('finish writes immediately and drops the pending update', async () => {
    const rec = recorder();
    const editor = editorFor(rec);
    editor.update('first');
    editor.update('pending');
    await sleep(5);
    const before = performance.now();
    await editor.finish('final');
    expect(performance.now() - before).toBeLessThan(INTERVAL / 2);
    await sleep(INTERVAL * 2);
    await editor.idle();
    expect(rec.writes).toEqual(['first', 'final']);
  });

  test('finish waits for an in-flight slow write instead of overlapping it', async () => {
    const rec = recorder();
    const editor = editorFor(rec, { delayMs: 150 });
    editor.update('slow progress');
    await sleep(10);
    expect(rec.inFlight).toBe(1);
    await editor.finish('final');
    expect(rec.maxInFlight).toBe(1);
    expect(rec.writes).toEqual(['slow progress', 'final']);
    // finish() did not wait out the interval after the slow write, only the write itself.
    expect((rec.startedAt[1] ?? 0) - (rec.startedAt[0] ?? 0)).toBeGreaterThanOrEqual(140);
  });

  test('writes never overlap even when each one outlasts the interval', async () => {
    const rec = recorder();
    const editor = editorFor(rec, { delayMs: INTERVAL * 1.5 });
    for (let i = 1; i <= 8; i++) {
      editor.update(`u${i}`);
      await sleep(40);
    }
    await editor.idle();
    expect(rec.maxInFlight).toBe(1);
    expect(rec.writes.at(-1)).toBe('u8');
  });

  test('a failed update goes to onError and later writes still happen', async () => {
    const rec = recorder();
    const editor = editorFor(rec, { fail: (body) => body === 'bad' });
    expect(() => editor.update('bad')).not.toThrow();
    await editor.idle();
    expect(rec.errors).toHaveLength(1);
    expect(String(rec.errors[0])).toContain('write failed: bad');
    editor.update('good');
    await editor.idle();
    expect(rec.writes).toEqual(['good']);
    await editor.finish('done');
    expect(rec.writes).toEqual(['good', 'done']);
  });

  test('a synchronous throw in write or in onError never escapes update', async () => {
    const editor = new CoalescingEditor({
      write: () => {
        throw new Error('sync');
      },
      minIntervalMs: INTERVAL,
      onError: () => {
        throw new Error('handler broke');
      },
    });
    expect(() => editor.update('x')).not.toThrow();
    await editor.idle();
  });

  test('finish rejects when its write fails', async () => {
    const rec = recorder();
    const editor = editorFor(rec, { fail: (body) => body === 'final' });
    await expect(editor.finish('final')).rejects.toThrow('write failed: final');
    expect(rec.errors).toEqual([]);
    await editor.idle();
  });

  test('updates after finish are ignored', async () => {
    const rec = recorder();
    const editor = editorFor(rec);
    await editor.finish('final');
    editor.update('late');
    await sleep(INTERVAL * 2);
    await editor.idle();
    expect(rec.writes).toEqual(['final']);
  });

  test('the same body twice in a row is written once', async () => {
    const rec = recorder();
    const editor = editorFor(rec);
    editor.update('same');
    await editor.idle();
    editor.update('same');
    await sleep(INTERVAL + 20);
    editor.update('same');
    await editor.idle();
    await editor.finish('same');
    expect(rec.writes).toEqual(['same']);
    expect(rec.startedAt).toHaveLength(1);
  });

  test('returning to the body already being written cancels the pending change', async () => {
    const rec = recorder();
    const editor = editorFor(rec, { delayMs: 30 });
    editor.update('A');
    editor.update('B');
    editor.update('A');
    await editor.idle();
    expect(rec.writes).toEqual(['A']);
  });

  test('idle resolves at once when nothing happened', async () => {
    const editor = editorFor(recorder());
    await expect(editor.idle()).resolves.toBeUndefined();
  });
});
