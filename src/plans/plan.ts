// The plan the model submits for `@make_plan`. This schema is the submit tool's input: the model
// is offered it as JSON Schema (z.toJSONSchema, io 'input'), so every field carries a description
// written for the model, and only constructs JSON Schema can express are used, except the path
// check, which JSON Schema drops silently and zod still enforces with a message naming the field.
import { z } from 'zod';

export const FILE_ACTIONS = ['modify', 'create', 'delete'] as const;
export const ESTIMATE_SIZES = ['XS', 'S', 'M', 'L', 'XL'] as const;

// Said once and reused, so every free-text field gives the model the same rule.
const INLINE_MARKDOWN = 'Inline Markdown only (`code`, **bold**, links); no headings, HTML or code blocks.';

/** Why a path is not repository-relative, or undefined when it is. Pure, so tests and callers can reuse it. */
export function repositoryPathProblem(path: string): string | undefined {
  // Control characters have no place in a file name and would break the rendered table row.
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters or line breaks';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'must be relative to the repository root, without a leading "/"';
  // Backslashes would let "..\\" slip past the segment check on tools that accept both separators.
  if (path.includes('\\')) return 'must use "/" as the separator, not "\\"';
  if (path.split('/').includes('..')) return 'must not contain ".." segments';
  return undefined;
}

const repositoryPath = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .superRefine((path, ctx) => {
    const problem = repositoryPathProblem(path);
    if (problem) ctx.addIssue({ code: 'custom', message: `path ${problem}` });
  })
  .describe('Path of the file relative to the repository root, with "/" separators, e.g. "src/db/plans.ts". No leading "/" and no ".." segments.');

const prose = (max: number, what: string) => z.string().trim().min(1).max(max).describe(`${what} ${INLINE_MARKDOWN}`);

export const PlannedFileSchema = z
  .object({
    path: repositoryPath,
    action: z.enum(FILE_ACTIONS).describe('"modify" an existing file, "create" a new one, or "delete" an existing one.'),
    intent: prose(1000, 'One or two sentences on what changes in this file and why.'),
  })
  .strict();

export const PlannedTestSchema = z
  .object({
    description: prose(1000, 'What the test checks, and whether it is new or existing.'),
    command: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe('Shell command that runs this test from the repository root, e.g. "npm test -- plans". Omit when there is no single command.'),
  })
  .strict();

export const EstimateSchema = z
  .object({
    size: z.enum(ESTIMATE_SIZES).describe('T-shirt size of the whole change: XS (minutes) to XL (several days).'),
    rationale: prose(1000, 'Why this size: what makes the change small or large.'),
  })
  .strict();

export const PlanSchema = z
  .object({
    summary: prose(4000, 'What the change does and the approach taken, for a reviewer who has read the issue. Plain paragraphs.'),
    files: z.array(PlannedFileSchema).max(100).describe('Every file the change touches, each once. Empty only when no file changes.'),
    steps: z
      .array(prose(1000, 'One concrete step, small enough to check off.'))
      .min(1)
      .max(50)
      .describe('The implementation steps, in the order they should be done.'),
    tests: z.array(PlannedTestSchema).max(50).describe('Tests to add or update, and the tests to run to verify the change.'),
    risks: z.array(prose(1000, 'One risk: what could break or regress, and how to guard against it.')).max(30).describe('Risks of the change; empty when there are none worth naming.'),
    open_questions: z
      .array(prose(1000, 'One question the maintainers should answer before implementation.'))
      .max(30)
      .describe('Decisions the issue leaves open; empty when the plan can be implemented as is.'),
    estimate: EstimateSchema.describe('How big the change is.'),
  })
  .strict()
  .describe('A structured implementation plan for the issue.');

export type Plan = z.infer<typeof PlanSchema>;
export type PlannedFile = z.infer<typeof PlannedFileSchema>;
export type PlannedTest = z.infer<typeof PlannedTestSchema>;
