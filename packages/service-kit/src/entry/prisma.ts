export * from '../prisma/prisma.module.js';
