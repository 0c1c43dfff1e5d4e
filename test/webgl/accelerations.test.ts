/** Every acceleration of the WebGL backend against its reference composition, both on WebGL (test/helpers/accelerations.ts). */
import { test } from 'uvu';
import { accelerationTests } from '../helpers/accelerations.js';

accelerationTests({ backend: 'webgl', tol: 2e-5, float16: true });

test.run();
