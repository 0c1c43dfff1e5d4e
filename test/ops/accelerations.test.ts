/** Every acceleration of the CPU backend against its reference composition (test/helpers/accelerations.ts). */
import { test } from 'uvu';
import { accelerationTests } from '../helpers/accelerations.js';

accelerationTests({ backend: 'cpu', tol: 2e-6, float16: true });

test.run();
