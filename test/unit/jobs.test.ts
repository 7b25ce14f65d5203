import { describe, expect, test } from '@jest/globals';
import { CommentTriggerSchema, QUEUES, ReplyJobSchema, RunJobSchema, jobIdFor, ticketGroup } from '../../src/queue/jobs.ts';

const V5_SHAPED = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('jobIdFor', () => {
  test('a UUID delivery id is used as is, lowercased', () => {
    expect(jobIdFor('72D3162E-CC78-11E3-81AB-4C9367DC0958')).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(jobIdFor('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
  });

  test('any other delivery id becomes a stable, valid v5-shaped UUID', () => {
    for (const delivery of ['test-delivery-1', 'x', '', '12345', 'not-a-uuid-72d3162e-cc78-11e3-81ab-4c9367dc0958']) {
      const id = jobIdFor(delivery);
      expect(id).toMatch(V5_SHAPED);
      expect(jobIdFor(delivery)).toBe(id);
    }
  });

  test('known inputs give known ids (the derivation does not drift between releases)', () => {
    // A redelivery after an upgrade must still land on the job the first delivery queued.
    expect(jobIdFor('test-delivery-1')).toBe('b8ee9bfc-6375-5b0b-a704-0e297b2daee3');
    expect(jobIdFor('72d3162e-cc78-11e3-81ab-4c9367dc0958', 'help')).toBe('4d0531d4-8387-50bc-aca2-122859e23745');
    expect(new Set(['a', 'b', 'c', 'd', 'e'].map((d) => jobIdFor(d))).size).toBe(5);
  });

  test('a scope changes the id, stably, and also applies to UUID deliveries', () => {
    const delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    const help = jobIdFor(delivery, 'help');
    const cancel = jobIdFor(delivery, 'cancel');
    expect(help).toMatch(V5_SHAPED);
    expect(cancel).toMatch(V5_SHAPED);
    expect(help).not.toBe(cancel);
    expect(help).not.toBe(jobIdFor(delivery));
    expect(jobIdFor(delivery, 'help')).toBe(help);
    expect(jobIdFor('test-delivery', 'help')).not.toBe(jobIdFor('test-delivery'));
  });
});

describe('job payloads', () => {
  test('ticketGroup names the ticket', () => {
    expect(ticketGroup(17)).toBe('ticket-17');
    expect(ticketGroup(17)).not.toBe(ticketGroup(171));
  });

  test('queue names are distinct', () => {
    expect(new Set(Object.values(QUEUES)).size).toBe(Object.keys(QUEUES).length);
  });

  test('RunJobSchema accepts a positive integer run id only', () => {
    expect(RunJobSchema.parse({ runId: 3 })).toEqual({ runId: 3 });
    for (const bad of [{ runId: 0 }, { runId: -1 }, { runId: 1.5 }, { runId: '3' }, {}]) expect(RunJobSchema.safeParse(bad).success).toBe(false);
  });

  test('ReplyJobSchema checks the action, the trigger and the command', () => {
    const trigger = {
      deliveryId: 'd1', installationId: 1, owner: 'o', repo: 'r', issueNumber: 1, issueTitle: 't', isPullRequest: false,
      commentId: 5, commentCreatedAt: '2026-01-01T00:00:00Z', requester: 'octocat', authorAssociation: 'OWNER',
    };
    expect(CommentTriggerSchema.safeParse(trigger).success).toBe(true);
    expect(ReplyJobSchema.safeParse({ action: 'help', trigger, command: { name: 'help', args: '' } }).success).toBe(true);
    expect(ReplyJobSchema.safeParse({ action: 'explode', trigger, command: { name: 'help', args: '' } }).success).toBe(false);
    expect(ReplyJobSchema.safeParse({ action: 'help', trigger, command: { name: 'rm', args: '' } }).success).toBe(false);
    expect(ReplyJobSchema.safeParse({ action: 'help', trigger: { ...trigger, installationId: 0 }, command: { name: 'help', args: '' } }).success).toBe(false);
  });
});
