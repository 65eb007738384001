import type { Prisma, PrismaClient } from "./generated/prisma/client.js";

/**
 * What repository methods run on: the shared client, or the client of a transaction the
 * caller opened with `prisma.$transaction(async (tx) => ...)` to compose several repositories.
 */
export type DbClient = PrismaClient | Prisma.TransactionClient;
