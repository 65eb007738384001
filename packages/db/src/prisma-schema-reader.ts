// Test support: reads schema.prisma into the tables, columns, indexes and keys Prisma would
// create in PostgreSQL, so the drift test can compare them with what the migrations built.

/** One column as PostgreSQL reports it (udt_name, nullability, default expression). */
export interface ExpectedColumn {
  name: string;
  udt: string;
  nullable: boolean;
  default: string | null;
}

/** What Prisma would create for one model. */
export interface ExpectedTable {
  name: string;
  /** The Prisma model name; undefined for tables read from the database. */
  model?: string;
  columns: ExpectedColumn[];
  /** pg_get_constraintdef / pg_indexes.indexdef text, keyed by constraint or index name. */
  constraints: Record<string, string>;
  indexes: Record<string, string>;
}

const SCALARS: Record<string, string> = {
  String: "text",
  Int: "int4",
  BigInt: "int8",
  Float: "float8",
  Boolean: "bool",
  Json: "jsonb",
  Bytes: "bytea",
  DateTime: "timestamp",
};
const NATIVE: Record<string, string> = { Uuid: "uuid", Timestamptz: "timestamptz" };
const ON_DELETE: Record<string, string> = { Cascade: "CASCADE", SetNull: "SET NULL", Restrict: "RESTRICT" };

/** Parses the subset of the Prisma schema language this repository uses. */
export function readPrismaSchema(source: string): ExpectedTable[] {
  const text = source.replace(/\/\/.*$/gm, "");
  const blocks = [...text.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)].map((m) => ({
    model: m[1] ?? "",
    body: m[2] ?? "",
  }));
  const tableOf = new Map(blocks.map((b) => [b.model, arg(b.body, "@@map") ?? b.model]));
  const columnsOf = new Map<string, Map<string, string>>();
  for (const b of blocks) columnsOf.set(b.model, fieldColumns(b.body, tableOf));
  return blocks.map((b) => readModel(b.model, b.body, tableOf, columnsOf));
}

function readModel(
  model: string,
  body: string,
  tableOf: Map<string, string>,
  columnsOf: Map<string, Map<string, string>>,
): ExpectedTable {
  const table = tableOf.get(model) ?? model;
  const cols = columnsOf.get(model) ?? new Map<string, string>();
  const col = (field: string) => cols.get(field.replace(/\(.*\)/, "").trim()) ?? field;
  const list = (fields: string) =>
    fields
      .split(",")
      .map((f) => f.trim())
      .filter(Boolean)
      .map((f) => `${col(f)}${/sort:\s*Desc/.test(f) ? " DESC" : ""}`);
  const out: ExpectedTable = { name: table, model, columns: [], constraints: {}, indexes: {} };
  const index = (kind: "idx" | "key", fields: string[], map?: string) => {
    const name = map ?? `${table}_${fields.map((f) => f.replace(" DESC", "")).join("_")}_${kind}`;
    const unique = kind === "key" ? "UNIQUE " : "";
    out.indexes[name] = `CREATE ${unique}INDEX ${name} ON public.${table} USING btree (${fields.join(", ")})`;
  };
  for (const line of body.split("\n").map((l) => l.trim())) {
    const block = /^@@(\w+)\(\[([^\]]*)\](?:,\s*map:\s*"([^"]+)")?/.exec(line);
    if (block) {
      const [, kind, fields = "", map] = block;
      if (kind === "id") {
        out.constraints[`${table}_pkey`] = `PRIMARY KEY (${list(fields).join(", ")})`;
        out.indexes[`${table}_pkey`] =
          `CREATE UNIQUE INDEX ${table}_pkey ON public.${table} USING btree (${list(fields).join(", ")})`;
      } else if (kind === "index" || kind === "unique") index(kind === "index" ? "idx" : "key", list(fields), map);
      continue;
    }
    const field = /^(\w+)\s+(\w+)(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!field || line.startsWith("@@")) continue;
    const [, name = "", type = "", isList, optional, attrs = ""] = field;
    if (tableOf.has(type)) {
      const rel = /@relation\(fields:\s*\[([^\]]*)\],\s*references:\s*\[([^\]]*)\](?:,\s*onDelete:\s*(\w+))?/.exec(
        attrs,
      );
      if (!rel) continue;
      const [, from = "", to = "", onDelete] = rel;
      const fromCols = list(from);
      const toCols = to.split(",").map((f) => (columnsOf.get(type) ?? new Map()).get(f.trim()) ?? f.trim());
      const action = ON_DELETE[onDelete ?? (optional ? "SetNull" : "Restrict")];
      out.constraints[`${table}_${fromCols.join("_")}_fkey`] =
        `FOREIGN KEY (${fromCols.join(", ")}) REFERENCES ${tableOf.get(type)}(${toCols.join(", ")}) ON UPDATE CASCADE ON DELETE ${action}`;
      continue;
    }
    const column = col(name);
    const native = /@db\.(\w+)/.exec(attrs)?.[1];
    const base = (native && NATIVE[native]) ?? SCALARS[type] ?? type;
    out.columns.push({
      name: column,
      udt: isList ? `_${base}` : base,
      nullable: Boolean(optional || isList),
      default: expectedDefault(rawDefault(attrs), type, base, Boolean(isList), `${table}_${column}`),
    });
    if (/@id\b/.test(attrs)) {
      out.constraints[`${table}_pkey`] = `PRIMARY KEY (${column})`;
      out.indexes[`${table}_pkey`] = `CREATE UNIQUE INDEX ${table}_pkey ON public.${table} USING btree (${column})`;
    }
    if (/@unique\b/.test(attrs)) index("key", [column]);
  }
  return out;
}

function fieldColumns(body: string, tableOf: Map<string, string>): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of body.split("\n")) {
    const field = /^\s*(\w+)\s+(\w+)/.exec(line);
    if (!field || line.trim().startsWith("@@") || tableOf.has(field[2] ?? "")) continue;
    map.set(field[1] ?? "", arg(line, "@map") ?? field[1] ?? "");
  }
  return map;
}

function expectedDefault(raw: string | undefined, type: string, base: string, isList: boolean, seq: string) {
  if (raw === undefined) return null;
  if (raw === "autoincrement()") return `nextval('${seq}_seq'::regclass)`;
  if (raw === "now()") return "CURRENT_TIMESTAMP";
  if (isList && raw === "[]") return `ARRAY[]::${base === "text" ? "text" : base}[]`;
  const generated = /^dbgenerated\("(.*)"\)$/.exec(raw);
  if (generated) return generated[1] ?? null;
  const str = /^"(.*)"$/.exec(raw);
  if (str) return `'${str[1]}'::${type === "Json" ? "jsonb" : "text"}`;
  return raw;
}

function rawDefault(attrs: string): string | undefined {
  const start = attrs.indexOf("@default(");
  if (start < 0) return undefined;
  let depth = 0;
  for (let i = start + "@default".length; i < attrs.length; i++) {
    if (attrs[i] === "(") depth++;
    if (attrs[i] === ")" && --depth === 0) return attrs.slice(start + "@default(".length, i);
  }
  return undefined;
}

function arg(text: string, attribute: string): string | undefined {
  return new RegExp(`${attribute}\\("([^"]+)"\\)`).exec(text)?.[1];
}
