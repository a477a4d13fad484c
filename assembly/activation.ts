// Kernels of the activation family (contract: src/backend/contract/activation.ts).
