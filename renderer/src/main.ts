import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { createApiClient } from './api.ts';
import { API_KEY } from './injection.ts';

createApp(App).use(createPinia()).provide(API_KEY, createApiClient()).mount('#app');
