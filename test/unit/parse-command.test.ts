import { describe, test, expect } from '@jest/globals';
import {
  COMMAND_NAMES,
  CommandNameSchema,
  parseAliases,
  parseCommand,
  type CommandName,
  type ParsedCommand,
} from '../../src/intake/parse-command.ts';

const FENCE = '```';
const cmd = (name: CommandName, args = ''): ParsedCommand => ({ name, args });

describe('COMMAND_NAMES / CommandNameSchema', () => {
  test('lists exactly the five commands', () => {
    expect([...COMMAND_NAMES]).toEqual(['chat', 'make_plan', 'dev', 'help', 'cancel']);
  });

  test.each(COMMAND_NAMES.map((name) => [name]))('schema accepts %s', (name) => {
    expect(CommandNameSchema.parse(name)).toBe(name);
  });

  test.each([['Dev'], ['@dev'], ['deploy'], ['']])('schema rejects %j', (value) => {
    expect(CommandNameSchema.safeParse(value).success).toBe(false);
  });
});

describe('parseCommand: each built-in trigger', () => {
  test.each(COMMAND_NAMES.map((name) => [name]))('@%s alone', (name) => {
    expect(parseCommand(`@${name}`)).toEqual(cmd(name));
  });

  test.each(COMMAND_NAMES.map((name) => [name]))('@%s with args', (name) => {
    expect(parseCommand(`@${name} do the thing`)).toEqual(cmd(name, 'do the thing'));
  });
});

describe('parseCommand: args', () => {
  test.each<[string, string, ParsedCommand]>([
    ['same line', '@chat why is CI red?', cmd('chat', 'why is CI red?')],
    ['multi-line question', '@chat why is CI red?\nIt started after #12.\n\nAny idea?', cmd('chat', 'why is CI red?\nIt started after #12.\n\nAny idea?')],
    ['args only on following lines', '@make_plan\nadd OAuth\nwith tests', cmd('make_plan', 'add OAuth\nwith tests')],
    ['empty args', '@chat', cmd('chat', '')],
    ['only trailing spaces', '@chat   \t ', cmd('chat', '')],
    ['only blank lines after', '@help\n\n   \n', cmd('help', '')],
    ['args trimmed on both ends', '@dev    fix it   \n\n', cmd('dev', 'fix it')],
    ['tab after trigger', '@dev\tfix it', cmd('dev', 'fix it')],
    ['text before the command is not part of args', 'Thanks!\n@dev fix it', cmd('dev', 'fix it')],
    ['code after the command stays verbatim', `@dev apply this\n${FENCE}ts\nconst a = 1;\n${FENCE}`, cmd('dev', `apply this\n${FENCE}ts\nconst a = 1;\n${FENCE}`)],
    ['inner indentation is kept', '@chat explain\n    indented line', cmd('chat', 'explain\n    indented line')],
    ['later @mentions stay in args', '@chat ask @alice\n@dev too', cmd('chat', 'ask @alice\n@dev too')],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('parseCommand: line endings', () => {
  test.each<[string, string, ParsedCommand]>([
    ['CRLF in args', '@chat line one\r\nline two\r\n', cmd('chat', 'line one\nline two')],
    ['CRLF before the command', 'hello\r\n@dev fix\r\n', cmd('dev', 'fix')],
    ['CRLF right after the trigger', '@help\r\n', cmd('help', '')],
    ['lone CR', 'hi\r@cancel\r', cmd('cancel', '')],
    ['leading BOM', '\uFEFF@dev go', cmd('dev', 'go')],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });

  test('no stray CR is left in args', () => {
    expect(parseCommand('@chat a\r\nb\r\nc')?.args).not.toContain('\r');
  });
});

describe('parseCommand: indentation', () => {
  test.each<[string, string, ParsedCommand | null]>([
    ['0 spaces', '@dev go', cmd('dev', 'go')],
    ['1 space', ' @dev go', cmd('dev', 'go')],
    ['2 spaces', '  @dev go', cmd('dev', 'go')],
    ['3 spaces', '   @dev go', cmd('dev', 'go')],
    ['4 spaces (indented code)', '    @dev go', null],
    ['8 spaces', '        @dev go', null],
    ['tab', '\t@dev go', null],
    ['space then tab', ' \t@dev go', null],
    ['4-space line after a paragraph', 'see below\n    @dev go', null],
    ['indented line then a real one', '    @dev no\n@chat yes', cmd('chat', 'yes')],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('parseCommand: position and boundaries', () => {
  test.each<[string, string, ParsedCommand | null]>([
    ['mid-line mention', 'please @dev this', null],
    ['mention after punctuation', '(@dev) fix it', null],
    ['list item', '- @dev fix it', null],
    ['escaped', '\\@dev fix it', null],
    ['inline code', '`@dev` fix it', null],
    ['@chatty', '@chatty hello', null],
    ['@dev-team', '@dev-team please review', null],
    ['@dev/ops', '@dev/ops please review', null],
    ['@dev:', '@dev: fix it', null],
    ['@chat:', '@chat: hi', null],
    ['@dev,', '@dev, fix it', null],
    ['@dev.', '@dev.', null],
    ['@dev!', '@dev! fix it', null],
    ['@dev followed by zero-width space', '@dev\u200Bfix', null],
    ['@help?', '@help?', null],
    ['no @', 'dev fix it', null],
    ['bare @', '@ dev', null],
    ['empty body', '', null],
    ['whitespace body', '  \n\t\n', null],
    ['uppercase @DEV', '@DEV fix it', cmd('dev', 'fix it')],
    ['mixed case @Make_Plan', '@Make_Plan add search', cmd('make_plan', 'add search')],
    ['uppercase @CHAT alone', '@CHAT', cmd('chat', '')],
    ['non-breaking space counts as whitespace', '@dev\u00A0fix', cmd('dev', 'fix')],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('parseCommand: scanning order', () => {
  test.each<[string, string, ParsedCommand | null]>([
    ['unknown @word then a command', '@alice can you look?\n@dev fix the bug', cmd('dev', 'fix the bug')],
    ['team mention then a command', '@org/team fyi\n\n@chat summarise', cmd('chat', 'summarise')],
    ['near-miss then a command', '@dev-team fyi\n@dev go', cmd('dev', 'go')],
    ['first command wins', '@chat first\n@dev second', cmd('chat', 'first\n@dev second')],
    ['first wins even if cancel follows', '@make_plan x\n@cancel', cmd('make_plan', 'x\n@cancel')],
    ['prose then command', 'Hi team,\n\n@help', cmd('help', '')],
    ['only unknown @words', '@alice\n@bob hi', null],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('parseCommand: fenced code blocks', () => {
  test.each<[string, string, ParsedCommand | null]>([
    ['backtick fence', `${FENCE}\n@dev go\n${FENCE}`, null],
    ['tilde fence', '~~~\n@dev go\n~~~', null],
    ['fence with info string', `${FENCE}bash\n@dev go\n${FENCE}`, null],
    ['indented fence (3 spaces)', `   ${FENCE}\n@dev go\n   ${FENCE}`, null],
    ['unclosed fence runs to the end', `${FENCE}\n@dev go\n\nmore`, null],
    ['unclosed tilde fence', '~~~~\n@dev go', null],
    ['longer fence not closed by a shorter one', `${FENCE}\`\n${FENCE}\n@dev go\n${FENCE}\``, null],
    ['tilde fence not closed by backticks', `~~~\n${FENCE}\n@dev go\n~~~`, null],
    ['backtick fence not closed by tildes', `${FENCE}\n~~~\n@dev go\n${FENCE}`, null],
    ['closing fence with text is not a close', `${FENCE}\n${FENCE} nope\n@dev go\n${FENCE}`, null],
    ['fence inside a list item', `- step:\n  ${FENCE}\n  @dev go\n  ${FENCE}`, null],
    ['fence opened by a list marker', `1. ${FENCE}\n   @dev go\n   ${FENCE}`, null],
    ['command after a closed fence', `${FENCE}\n@dev no\n${FENCE}\n@dev yes`, cmd('dev', 'yes')],
    ['command after a closed tilde fence', '~~~\n@chat no\n~~~\n@chat yes', cmd('chat', 'yes')],
    ['longer closing fence closes', `${FENCE}\n@dev no\n${FENCE}\`\`\n@dev yes`, cmd('dev', 'yes')],
    ['closing fence with trailing spaces closes', `${FENCE}\n@dev no\n${FENCE}   \n@dev yes`, cmd('dev', 'yes')],
    ['closing fence indented 4 does not close', `${FENCE}\n    ${FENCE}\n@dev go`, null],
    ['list fence closes at list content indent + 3', `10. ${FENCE}\n    @dev no\n    ${FENCE}\n@dev yes`, cmd('dev', 'yes')],
    ['closing fence indented 3 closes', `${FENCE}\n@dev no\n   ${FENCE}\n@dev yes`, cmd('dev', 'yes')],
    ['CRLF fence', `${FENCE}\r\n@dev no\r\n${FENCE}\r\n@dev yes`, cmd('dev', 'yes')],
    ['two backticks is not a fence', '``\n@dev yes', cmd('dev', 'yes')],
    ['backticks with a backtick info string are inline code', `${FENCE}a\`b\n@dev yes`, cmd('dev', 'yes')],
    ['4-space-indented fence is not a fence', `    ${FENCE}\n@dev yes`, cmd('dev', 'yes')],
    ['fence inside a quote does not hide later lines', `> ${FENCE}\n> @dev no\n@dev yes`, cmd('dev', 'yes')],
    ['fully quoted fence', `> ${FENCE}\n> @dev no\n> ${FENCE}`, null],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('parseCommand: blockquotes', () => {
  test.each<[string, string, ParsedCommand | null]>([
    ['quote with space', '> @dev go', null],
    ['quote without space', '>@dev go', null],
    ['nested quote', '> > @dev go', null],
    ['nested quote without spaces', '>>@dev go', null],
    ['indented quote', '   > @dev go', null],
    ['quoted multi-line reply', '> @alice wrote:\n> @dev fix it\n>\n> thanks', null],
    ['command after the quote', '> @dev fix it\n\n@chat why?', cmd('chat', 'why?')],
    ['command directly after a quote line', '> earlier\n@dev go', cmd('dev', 'go')],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('parseCommand: HTML comments', () => {
  test.each<[string, string, ParsedCommand | null]>([
    ['single-line comment', '<!-- @dev go -->', null],
    ['multi-line comment', '<!--\n@dev go\n-->', null],
    ['multi-line comment opened mid-line', 'notes <!-- hidden\n@dev go\n-->', null],
    ['unclosed comment runs to the end', '<!--\n@dev go', null],
    ['template comment then command', '<!-- Describe the issue -->\n@dev fix it', cmd('dev', 'fix it')],
    ['command after a multi-line comment', '<!--\n@dev no\n-->\n@dev yes', cmd('dev', 'yes')],
    ['text after the closing marker is not at line start', '<!--\nx\n--> @dev no', null],
    ['two comments on one line', '<!-- a --> b <!-- c -->\n@dev yes', cmd('dev', 'yes')],
    ['one closed, one left open', '<!-- a --> <!-- b\n@dev no\n-->', null],
    ['empty comment <!-->', '<!-->\n@dev yes', cmd('dev', 'yes')],
    ['empty comment <!--->', '<!--->\n@dev yes', cmd('dev', 'yes')],
    ['<!-- inside inline code is literal', 'type `<!--` to hide text\n@dev yes', cmd('dev', 'yes')],
    ['<!-- inside a fence is literal', `${FENCE}\n<!--\n${FENCE}\n@dev yes`, cmd('dev', 'yes')],
    ['fence inside a comment is ignored', `<!--\n${FENCE}\n-->\n@dev yes`, cmd('dev', 'yes')],
    ['comment opened in a quote ends with the quote', '> <!--\n@dev yes', cmd('dev', 'yes')],
    ['CRLF multi-line comment', '<!--\r\n@dev no\r\n-->\r\n@dev yes', cmd('dev', 'yes')],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body)).toEqual(expected);
  });
});

describe('parseCommand: aliases', () => {
  const aliases = { '/dev': 'dev', '/ask': 'chat', '!plan': 'make_plan' } as const;

  test.each<[string, string, ParsedCommand | null]>([
    ['slash alias', '/dev fix it', cmd('dev', 'fix it')],
    ['alias alone', '/ask', cmd('chat', '')],
    ['bang alias', '!plan add search', cmd('make_plan', 'add search')],
    ['alias is case-insensitive', '/DEV fix it', cmd('dev', 'fix it')],
    ['alias indented 3', '   /ask why?', cmd('chat', 'why?')],
    ['alias indented 4', '    /ask why?', null],
    ['alias mid-line', 'please /dev this', null],
    ['alias followed by a non-space', '/dev/ops broke', null],
    ['alias prefix of a longer word', '/devel fix', null],
    ['alias in a fence', `${FENCE}\n/dev go\n${FENCE}`, null],
    ['alias in a tilde fence', '~~~\n/ask go\n~~~', null],
    ['alias in a quote', '> /dev go', null],
    ['alias in an HTML comment', '<!--\n/dev go\n-->', null],
    ['alias multi-line args', '/ask one\ntwo', cmd('chat', 'one\ntwo')],
    ['built-ins still work', '@help', cmd('help', '')],
    ['first of alias and built-in wins', '/ask first\n@dev second', cmd('chat', 'first\n@dev second')],
    ['built-in before alias wins', '@dev first\n/ask second', cmd('dev', 'first\n/ask second')],
  ])('%s', (_label, body, expected) => {
    expect(parseCommand(body, { aliases })).toEqual(expected);
  });

  test('aliases are not active without options', () => {
    expect(parseCommand('/dev fix it')).toBeNull();
  });

  test('mixed-case alias keys match any case', () => {
    expect(parseCommand('/deploy now', { aliases: { '/Deploy': 'dev' } })).toEqual(cmd('dev', 'now'));
  });

  test('built-in triggers win over a clashing alias', () => {
    expect(parseCommand('@dev go', { aliases: { '@dev': 'chat' } })).toEqual(cmd('dev', 'go'));
  });

  test('invalid alias entries passed directly are ignored', () => {
    const bad = { '': 'dev', 'a b': 'dev', '/x': 'deploy' } as unknown as Record<string, CommandName>;
    expect(['/x go', 'a b go'].map((body) => parseCommand(body, { aliases: bad }))).toEqual([null, null]);
  });
});

describe('parseAliases', () => {
  test.each<[string, string, Record<string, CommandName>]>([
    ['two entries', '/dev=dev,/ask=chat', { '/dev': 'dev', '/ask': 'chat' }],
    ['spaces around entries and =', ' /dev = dev , /ask= chat ', { '/dev': 'dev', '/ask': 'chat' }],
    ['every command', '/c=chat,/p=make_plan,/d=dev,/h=help,/x=cancel', { '/c': 'chat', '/p': 'make_plan', '/d': 'dev', '/h': 'help', '/x': 'cancel' }],
    ['@ and ! prefixes', '@bot-dev=dev,!ask=chat', { '@bot-dev': 'dev', '!ask': 'chat' }],
    ['command name case is ignored', '/dev=DEV', { '/dev': 'dev' }],
    ['trailing comma', '/dev=dev,', { '/dev': 'dev' }],
    ['newline-separated', '/dev=dev\n/ask=chat', { '/dev': 'dev', '/ask': 'chat' }],
    ['empty spec', '', {}],
    ['blank spec', '  ', {}],
    ['two aliases for one command', '/dev=dev,/code=dev', { '/dev': 'dev', '/code': 'dev' }],
  ])('accepts %s', (_label, spec, expected) => {
    expect(parseAliases(spec)).toEqual(expected);
  });

  test.each<[string, string, RegExp]>([
    ['missing =', '/dev', /"\/dev".*<trigger>=<command>/],
    ['empty key', '=dev', /"=dev".*empty trigger/],
    ['key with whitespace', '/my dev=dev', /"\/my dev=dev".*whitespace/],
    ['unknown command', '/deploy=deploy', /"\/deploy=deploy".*unknown command "deploy"/],
    ['empty command', '/dev=', /"\/dev=".*unknown command ""/],
    ['bad entry among good ones', '/ask=chat,/x=nope,/dev=dev', /"\/x=nope"/],
    ['shadows a built-in', '@dev=chat', /"@dev=chat".*built-in/],
    ['shadows a built-in, other case', '@CHAT=chat', /"@CHAT=chat".*built-in/],
    ['duplicate key', '/dev=dev,/dev=chat', /"\/dev=chat".*twice/],
    ['duplicate key, other case', '/dev=dev,/DEV=dev', /"\/DEV=dev".*twice/],
    ['second = in the command', '/a=b=dev', /"\/a=b=dev".*unknown command "b=dev"/],
  ])('rejects %s', (_label, spec, message) => {
    expect(() => parseAliases(spec)).toThrow(message);
  });

  test('throws a plain Error', () => {
    expect(() => parseAliases('/x=nope')).toThrow(Error);
  });

  test('parsed aliases drive parseCommand', () => {
    const aliases = parseAliases('/dev=dev,/ask=chat');
    expect(['/dev a', '/ask b'].map((body) => parseCommand(body, { aliases }))).toEqual([cmd('dev', 'a'), cmd('chat', 'b')]);
  });
});
