import { listFilesTool } from './list-files.ts';
import { readFileTool } from './read-file.ts';
import { repoOverviewTool } from './repo-overview.ts';
import { searchTool } from './search.ts';
import type { Tool } from './tool.ts';

export { capOutput, defineTool, executeToolCall, toToolSpec, ToolInputError, DEFAULT_MAX_OUTPUT_CHARS } from './tool.ts';
export type { Tool, ToolContext, ToolResult } from './tool.ts';
export { resolveInside } from './paths.ts';
export { listFilesTool, readFileTool, repoOverviewTool, searchTool };

/** Tools that only look at the workspace; safe to offer in every mode. */
export const READ_ONLY_TOOLS: readonly Tool[] = [repoOverviewTool, listFilesTool, readFileTool, searchTool];
