import { mount } from 'svelte'
import '@xterm/xterm/css/xterm.css'
import './styles/theme.css'
import App from './App.svelte'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')
mount(App, { target })
