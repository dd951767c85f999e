import '@angular/compiler';
import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';

// Zoneless TestBed (the app runs without zone.js); Angular resets the testing module after each
// test by itself under Jest's global `afterEach`.
setupZonelessTestEnv({ teardown: { destroyAfterEach: true } });
