/** Production entry for the API alone (docker-compose `api`). */
import { runStandalone } from '../infra/runtime';

runStandalone('api');
