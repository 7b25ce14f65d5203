import { pino } from 'pino';
import { randomUUID } from 'node:crypto';
import { loadConfig } from './src/config.ts';
import { openDatabase } from './src/db/connect.ts';
import { claimDelivery, completeDelivery } from './src/db/deliveries.ts';
import { createTicketRun } from './src/db/runs.ts';
import { startQueue } from './src/queue/boss.ts';
import { QUEUES, runJobOptions } from './src/queue/jobs.ts';
const db = await openDatabase({ url: process.env.URL, pgliteDir: 'memory://' });
const boss = await startQueue(db, loadConfig({}).queue, pino({ level: 'silent' }));
const N = 400;
const t: Record<string, number> = { claim: 0, run: 0, send: 0, complete: 0, raw_select: 0 };
for (let i = 0; i < N; i++) {
  const id = randomUUID();
  let s = performance.now();
  await claimDelivery(db.knex, id, 'issue_comment', 'created'); t.claim += performance.now() - s; s = performance.now();
  const r = await createTicketRun(db.knex, { ticket: { repo: 'o/r', issueNumber: i % 20, title: 't', installationId: 1, branch: 'b' }, deliveryId: id, command: 'chat', args: 'q', requester: 'u', triggerCommentId: 1, triggerCreatedAt: new Date() });
  t.run += performance.now() - s; s = performance.now();
  await boss.send(QUEUES.run, { runId: r.runId }, runJobOptions(id, r.ticketId)); t.send += performance.now() - s; s = performance.now();
  await completeDelivery(db.knex, id, 'queued'); t.complete += performance.now() - s; s = performance.now();
  await db.knex.raw('select 1'); t.raw_select += performance.now() - s;
}
for (const [k, v] of Object.entries(t)) console.log(k, (v / N).toFixed(2), 'ms');
await boss.stop({ graceful: true, timeout: 3000 }); await db.close();
