/** Production entry for the worker alone (docker-compose `worker`). */
import { runStandalone } from '../infra/runtime';

runStandalone('worker');
