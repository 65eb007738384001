import { defineConfig } from "prisma/config";

// No datasource URL here: migrations are applied by src/migrate.ts, and the client receives
// its connection through the pg driver adapter at runtime.
export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
