/** Options shared by several commands. */
export const common = {
  backend: { name: 'backend', type: 'string', choices: ['cpu', 'webgl'], default: 'cpu', help: 'compute backend' },
  help: { name: 'help', alias: 'h', type: 'flag', help: 'show this help' },
} as const;

