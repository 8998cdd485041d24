/**
 * Documents generated from the registry, so they cannot drift from the tools: the `docs://tools`
 * resource, and the README's tool table (`npm run docs` writes it; a test checks it).
 */
import type { ToolDefinition } from '../tools/define-tool.js';
import type { CompiledTool } from './registry.js';

interface PropertySchema {
  type?: string | string[];
  description?: string;
  default?: unknown;
  items?: { type?: string };
}

function typeOf(p: PropertySchema): string {
  if (p.type === 'array') return `${p.items?.type ?? 'any'}[]`;
  return Array.isArray(p.type) ? p.type.join('|') : (p.type ?? 'any');
}

export function toolsDoc(tools: readonly CompiledTool[]): string {
  const parts = ['# Vigil tools', '', 'Timestamps are ISO 8601 (e.g. `2026-02-26T00:00:00Z`).', ''];
  for (const t of tools) {
    const schema = t.listing.inputSchema as {
      properties?: Record<string, PropertySchema>;
      required?: string[];
    };
    parts.push(
      `## ${t.def.name} (${t.def.toolset}, ${t.write ? 'write' : 'read'})`,
      '',
      t.def.description,
      '',
    );
    const props = Object.entries(schema.properties ?? {});
    if (props.length) {
      parts.push('| Parameter | Type | Required | Description |', '|---|---|---|---|');
      for (const [name, p] of props) {
        const def = p.default !== undefined ? ` Default: \`${JSON.stringify(p.default)}\`.` : '';
        parts.push(
          `| ${name} | ${typeOf(p)} | ${schema.required?.includes(name) ? 'yes' : 'no'} | ${p.description ?? ''}${def} |`,
        );
      }
      parts.push('');
    }
    if (t.fields) parts.push(`Fields for \`include\`: ${t.fields.join(', ')}.`, '');
    parts.push(`Result key: \`${t.def.resource}\`.`, '');
  }
  return parts.join('\n');
}

/** Where the README's tool table starts and ends. */
export const TOOL_TABLE_MARKERS = [
  '<!-- tools:start (npm run docs writes this table) -->',
  '<!-- tools:end -->',
] as const;

/** The README's tool table: name, toolset, mode and description of every tool, in registry order. */
export function toolTable(tools: readonly ToolDefinition[]): string {
  const cell = (text: string) => text.replace(/\s*\n\s*/g, ' ').replaceAll('|', '\\|');
  return [
    '| Tool | Toolset | Mode | What it does |',
    '|---|---|---|---|',
    ...tools.map(
      (t) =>
        `| \`${t.name}\` | ${t.toolset} | ${t.annotations.readOnlyHint ? 'read' : 'write'} | ${cell(t.description)} |`,
    ),
  ].join('\n');
}
