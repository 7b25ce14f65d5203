import { describe, test, expect } from '@jest/globals';
import {
  AuthorAssociationSchema,
  DEFAULT_ALLOWED_ASSOCIATIONS,
  decideGate,
  permissionAllowsCommands,
  type CommentAuthor,
  type GateDecision,
} from '../../src/intake/gate.ts';

const user = (login: string, authorAssociation: string, type = 'User'): CommentAuthor => ({ login, type, authorAssociation });
const defaults = { allowedAssociations: DEFAULT_ALLOWED_ASSOCIATIONS, appSlug: 'ticketsmith' };

describe('AuthorAssociationSchema', () => {
  const all = ['COLLABORATOR', 'CONTRIBUTOR', 'FIRST_TIMER', 'FIRST_TIME_CONTRIBUTOR', 'MANNEQUIN', 'MEMBER', 'NONE', 'OWNER'];

  test('lists exactly GitHub’s values', () => {
    expect([...AuthorAssociationSchema.options].sort()).toEqual([...all].sort());
  });

  test.each(all.map((value) => [value]))('accepts %s', (value) => {
    expect(AuthorAssociationSchema.parse(value)).toBe(value);
  });

  test.each([['owner'], ['ADMIN'], [''], ['BOT']])('rejects %j', (value) => {
    expect(AuthorAssociationSchema.safeParse(value).success).toBe(false);
  });

  test('every default association is a valid GitHub value', () => {
    expect(DEFAULT_ALLOWED_ASSOCIATIONS.map((a) => AuthorAssociationSchema.safeParse(a).success)).toEqual([true, true, true]);
  });
});

describe('decideGate: ignored authors', () => {
  test.each<[string, CommentAuthor, string]>([
    ['type Bot', user('dependabot', 'NONE', 'Bot'), 'bot'],
    ['type bot, lower case', user('renovate', 'NONE', 'bot'), 'bot'],
    ['Bot even when OWNER', user('helper', 'OWNER', 'Bot'), 'bot'],
    ['[bot] suffix with type User', user('github-actions[bot]', 'NONE'), 'bot'],
    ['[BOT] suffix, upper case', user('Some-App[BOT]', 'MEMBER'), 'bot'],
    ['the app itself', user('ticketsmith[bot]', 'NONE', 'Bot'), 'this app'],
    ['the app itself, other case', user('TicketSmith[bot]', 'NONE'), 'this app'],
  ])('%s', (_label, author, reason) => {
    const decision = decideGate(author, defaults);
    expect(decision.kind).toBe('ignore');
    expect(decision.kind === 'ignore' && decision.reason).toContain(reason);
  });

  test('app slug match is case-insensitive on both sides', () => {
    expect(decideGate(user('ticketsmith[bot]', 'NONE'), { ...defaults, appSlug: 'TicketSmith' })).toEqual({
      kind: 'ignore',
      reason: 'comment written by this app',
    });
  });

  test('without appSlug, the app is still ignored as a bot', () => {
    expect(decideGate(user('ticketsmith[bot]', 'NONE'), { allowedAssociations: DEFAULT_ALLOWED_ASSOCIATIONS }).kind).toBe('ignore');
  });

  test('a user named like the slug without [bot] is not the app', () => {
    expect(decideGate(user('ticketsmith', 'OWNER'), defaults)).toEqual({ kind: 'allow' });
  });

  test('"bot" inside a login is not a bot', () => {
    expect(decideGate(user('robotics-fan', 'MEMBER'), defaults)).toEqual({ kind: 'allow' });
  });
});

describe('decideGate: associations', () => {
  test.each<[string, CommentAuthor, readonly string[], GateDecision]>([
    ['OWNER by default', user('alice', 'OWNER'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'allow' }],
    ['MEMBER by default', user('alice', 'MEMBER'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'allow' }],
    ['COLLABORATOR by default', user('alice', 'COLLABORATOR'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'allow' }],
    ['CONTRIBUTOR by default', user('alice', 'CONTRIBUTOR'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'check_permission' }],
    ['FIRST_TIME_CONTRIBUTOR by default', user('alice', 'FIRST_TIME_CONTRIBUTOR'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'check_permission' }],
    ['FIRST_TIMER by default', user('alice', 'FIRST_TIMER'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'check_permission' }],
    ['NONE by default', user('alice', 'NONE'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'check_permission' }],
    ['MANNEQUIN by default', user('alice', 'MANNEQUIN'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'check_permission' }],
    ['lower-case association', user('alice', 'owner'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'allow' }],
    ['lower-case allow-list', user('alice', 'MEMBER'), ['member'], { kind: 'allow' }],
    ['allow-list entries are trimmed', user('alice', 'MEMBER'), [' MEMBER '], { kind: 'allow' }],
    ['custom list includes CONTRIBUTOR', user('alice', 'CONTRIBUTOR'), ['OWNER', 'CONTRIBUTOR'], { kind: 'allow' }],
    ['custom list without MEMBER', user('alice', 'MEMBER'), ['OWNER'], { kind: 'check_permission' }],
    ['empty allow-list', user('alice', 'OWNER'), [], { kind: 'check_permission' }],
    ['empty association never matches', user('alice', ''), ['', 'OWNER'], { kind: 'check_permission' }],
    ['unknown association', user('alice', 'ADMIN'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'check_permission' }],
    ['Organization type is judged by association', user('acme', 'OWNER', 'Organization'), DEFAULT_ALLOWED_ASSOCIATIONS, { kind: 'allow' }],
  ])('%s', (_label, author, allowedAssociations, expected) => {
    expect(decideGate(author, { allowedAssociations, appSlug: 'ticketsmith' })).toEqual(expected);
  });
});

describe('permissionAllowsCommands', () => {
  test.each<[string, string | undefined, boolean]>([
    ['admin', undefined, true],
    ['maintain', undefined, true],
    ['write', undefined, true],
    ['triage', undefined, false],
    ['read', undefined, false],
    ['none', undefined, false],
    ['ADMIN', undefined, true],
    [' Write ', undefined, true],
    ['', undefined, false],
    ['owner', undefined, false],
    ['write', 'maintain', true],
    ['admin', 'admin', true],
    ['read', 'triage', false],
    ['write', 'custom-release-manager', true],
    ['read', 'custom-auditor', false],
    ['', 'maintain', true],
    ['unknown', 'write', true],
    ['write', 'read', false],
    ['admin', 'none', false],
    ['read', 'admin', false],
    ['', '', false],
  ])('permission %j, role %j → %s', (permission, roleName, expected) => {
    expect(permissionAllowsCommands(permission, roleName)).toBe(expected);
  });
});
