#include "panel_page.h"

namespace mdtc::panel {

// Why it looks as it does (docs/panel-ux.md):
//  - A quiet screen must never look like a safe one: the status strip is
//    always on top, and a host that stops answering the page's heartbeat
//    (or a lost event stream) turns it into a danger line within 3 s.
//  - The top hazard is the title bar, the primary action is on the first
//    screen, and after a tap the panel's buttons are inert for 1.5 s and an
//    opposite action ("Cancel request") sits at the far end of the row, so
//    a double tap on a rough road cannot send and withdraw.
//  - While the car moves (the panel document's `motion`), only the banner
//    and "Request co-responder" remain, large.
//  - Every tappable element is at least 64 CSS px high; every action has a
//    function key (F1-F4, F6-F8: F5 reloads); F9 theme, F10 concealed.
//  - Night theme: nothing bright; text contrast at least 7:1 in both themes.
const char* panel_page_html() {
  return R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>MDT</title>
<meta name="viewport" content="width=device-width">
<style>
 :root{--bg:#ffffff;--fg:#000000;--muted:#333333;--card:#f4f4f4;--line:#555555;--dangerbg:#9e0000;--dangerfg:#ffffff;
  --warnbg:#fff0c2;--warnfg:#000000;--okbg:#e8f3ea;--okfg:#0a3d14;--primbg:#0b5a1f;--primfg:#ffffff;--btnbg:#e4e4e4;--btnfg:#000000;
  --btnline:#333333;--dangertext:#8a0000;--focus:#0033cc}
 body.night{--bg:#000000;--fg:#e6e6e6;--muted:#c8c8c8;--card:#0d0d0d;--line:#555555;--dangerbg:#8c0000;--dangerfg:#ffffff;
  --warnbg:#3a2a00;--warnfg:#ffe08a;--okbg:#06210d;--okfg:#9be0aa;--primbg:#0b4a1c;--primfg:#ffffff;--btnbg:#1a1a1a;--btnfg:#e6e6e6;
  --btnline:#777777;--dangertext:#ff8a8a;--focus:#8ab4ff}
 body.concealed{filter:brightness(.45)}
 html,body{background:var(--bg);color:var(--fg)}
 body{font:22px/1.3 system-ui,"DejaVu Sans",sans-serif;margin:0;padding:0}
 #strip{position:sticky;top:0;z-index:5;display:flex;gap:6px;padding:6px 8px;background:var(--bg);border-bottom:2px solid var(--line)}
 .chip{flex:1 1 0;padding:4px 8px;border-radius:6px;font-size:18px;font-weight:600;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;
  background:var(--okbg);color:var(--okfg)}
 .chip.warning,.chip.caution{background:var(--warnbg);color:var(--warnfg)}
 .chip.danger{background:var(--dangerbg);color:var(--dangerfg)}
 #lost{display:none;padding:10px 12px;background:var(--dangerbg);color:var(--dangerfg);font-size:26px;font-weight:700}
 body.lost #lost{display:block}
 body.lost #panels{opacity:.35}
 #banner{padding:8px 12px;background:var(--dangerbg);color:var(--dangerfg)}
 #banner:empty{display:none}
 #banner .hz{font-size:30px;font-weight:800}
 #banner .addr{font-size:22px}
 #motion{display:none;padding:6px 12px;font-size:22px;font-weight:700;background:var(--warnbg);color:var(--warnfg)}
 body.moving #motion{display:block}
 main{padding:8px 10px}
 .panel{border:3px solid var(--line);border-radius:10px;margin:0 0 10px;padding:8px 12px;background:var(--card)}
 .panel.danger{border-color:var(--dangerbg)}
 .title{font-size:26px;font-weight:800}
 .panel.danger .title{color:var(--dangertext)}
 .sub{color:var(--muted)}
 .acts{display:flex;gap:12px;margin:8px 0 4px;align-items:stretch}
 .acts .gap{flex:1}
 button{font:inherit;font-size:24px;font-weight:700;min-height:64px;min-width:120px;padding:8px 20px;border-radius:8px;
  border:2px solid var(--btnline);background:var(--btnbg);color:var(--btnfg)}
 button.primary{background:var(--primbg);color:var(--primfg);border-color:var(--primbg)}
 button:focus{outline:4px solid var(--focus);outline-offset:2px}
 button .key{font-size:18px;font-weight:600;margin-right:8px;opacity:.95}
 button[disabled]{opacity:.6}
 select,input{font:inherit;min-height:52px;background:var(--bg);color:var(--fg);border:2px solid var(--btnline)}
 .sec{margin-top:6px;font-weight:800;color:var(--muted)}
 .sec.danger{color:var(--dangertext)}
 .notice{font-size:18px;border:1px solid var(--line);padding:4px;margin:4px 0}
 .f{margin-left:8px}
 .f.danger{color:var(--dangertext);font-weight:800}
 .meta{font-size:18px;color:var(--muted)}
 #tools{display:flex;gap:10px;padding:6px 10px}
 body.moving main .panel,body.moving #tools{display:none}
 body.moving main .panel.keep{display:block;border:0;background:transparent;padding:0}
 body.moving .panel.keep > :not(.acts){display:none}
 body.moving .panel.keep .acts > :not(.request){display:none}
 body.moving button.request{width:100%;min-height:120px;font-size:34px}
</style></head><body>
<div id="strip" role="status"><span class="chip" id="chip-host">Host: connecting</span></div>
<div id="lost" role="alert"></div>
<div id="banner" role="alert"></div>
<div id="motion"></div>
<main id="panels"></main>
<div id="tools"><button id="theme-btn"><span class="key">F9</span>Theme: auto</button>
<button id="conceal-btn"><span class="key">F10</span>Concealed: off</button></div>
<script>
const SCREEN_NAME=TITLE;
const SECRET=location.hash.slice(1);
const panels=new Map();
const kept=new Map();      // inputs the user changed, kept across re-renders
const guard=new Map();     // panel id -> time until which its buttons are inert
const KEYS=['F1','F2','F3','F4','F6','F7','F8'];
const TAP_GUARD_MS=1500, LOST_AFTER_MS=3000;
let motion=null, themeMode='auto', concealed=false, lastOk=Date.now(), streamOk=true, daylight=null;
const RANK={danger:3,warning:2,caution:1,info:0};
const ORDER={coresponder_request:0,coresponder_offer:0,premise:1,status:2};
function esc(s){return String(s??'').replace(/[&<>"]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
function words(s,n){const w=String(s).trim().split(/\s+/);return w.length<=n?w.join(' '):w.slice(0,n).join(' ')+'…';}
// An opposite action never takes the place of the one just tapped.
function opposite(a){return /^(cancel|decline|withdraw)/.test(a.id);}
// The plugin orders a premise panel's sections and fields most severe
// first, so the first danger field is the top hazard.
function topHazard(){
  for(const [,d] of panels){
    if(d.kind!=='premise') continue;
    for(const s of d.sections||[]) for(const f of s.fields||[])
      if(f.severity==='danger') return {d,f};
  }
  return null;
}
function sortedSections(d){
  const meta=s=>(s.id==='incident'||s.id==='where')&&RANK[s.severity]<2;
  return [...(d.sections||[]).filter(s=>!meta(s)),...(d.sections||[]).filter(meta)];
}
function render(){
  const hz=topHazard(); const banner=document.getElementById('banner');
  if(hz){
    const v=hz.f.value?(hz.f.label+': '+hz.f.value):hz.f.label;
    banner.innerHTML='<div class="hz" id="hazard">'+esc(words(v,8))+'</div><div class="addr" id="address">'+esc(hz.d.subtitle)+'</div>';
    document.title=words(hz.f.label,8)+' - '+SCREEN_NAME;
  } else { banner.innerHTML=''; document.title=SCREEN_NAME; }
  const root=document.getElementById('panels'); root.innerHTML='';
  const list=[...panels].sort((a,b)=>(ORDER[a[1].kind]??3)-(ORDER[b[1].kind]??3));
  let k=0;
  for(const [id,d] of list){
    const el=document.createElement('div'); el.className='panel '+esc(d.severity); el.id='panel-'+id;
    if((d.actions||[]).some(a=>a.id==='request_coresponder')) el.classList.add('keep');
    let h='<div class="title">'+esc(d.title)+'</div>'+(d.subtitle?'<div class="sub">'+esc(d.subtitle)+'</div>':'');
    const acts=d.actions||[];
    const first=acts.filter(a=>!opposite(a)), last=acts.filter(opposite);
    const btn=a=>{const key=KEYS[k++]; return '<button class="'+esc(a.style)+(a.id==='request_coresponder'?' request':'')+
      '" data-panel="'+esc(id)+'" data-action="'+esc(a.id)+'"'+(key?' data-key="'+key+'"':'')+'>'+
      (key?'<span class="key">'+key+'</span>':'')+esc(a.label)+'</button>';};
    if(acts.length) h+='<div class="acts">'+first.map(btn).join('')+(last.length?'<span class="gap"></span>'+last.map(btn).join(''):'')+'</div>';
    for(const s of sortedSections(d)){
      const meta=(s.id==='incident'||s.id==='where')&&RANK[s.severity]<2;
      h+='<div class="sec '+esc(s.severity)+(meta?' meta':'')+'">'+esc(s.title)+'</div>';
      if(s.notice) h+='<div class="notice">'+esc(s.notice)+'</div>';
      for(const f of s.fields||[]) h+='<div class="f '+esc(f.severity)+(meta?' meta':'')+'">'+esc(f.label)+(f.value?': '+esc(f.value):'')+'</div>';
    }
    for(const i of d.inputs||[]){
      const at=' data-panel="'+esc(id)+'" data-input="'+esc(i.id)+'"';
      const v=kept.get(id+'/'+i.id)??i.value;
      h+='<div class="f">'+esc(i.label)+': ';
      if(i.options) h+='<select'+at+'>'+i.options.map(o=>'<option value="'+esc(o.id)+'"'+(o.id===v?' selected':'')+'>'+esc(o.label)+'</option>').join('')+'</select>';
      else h+='<input'+at+' value="'+esc(v)+'">';
      h+='</div>';
    }
    el.innerHTML=h; root.appendChild(el);
  }
  document.querySelectorAll('[data-input]').forEach(i=>i.onchange=()=>kept.set(i.dataset.panel+'/'+i.dataset.input,i.value));
  document.querySelectorAll('button[data-action]').forEach(b=>{
    b.onclick=()=>tap(b);
    if((guard.get(b.dataset.panel)||0)>Date.now()) b.disabled=true;
  });
  applyMotion();
}
function tap(b){
  const id=b.dataset.panel;
  if((guard.get(id)||0)>Date.now()) return;
  guard.set(id,Date.now()+TAP_GUARD_MS);
  document.querySelectorAll('button[data-panel="'+CSS.escape(id)+'"]').forEach(x=>x.disabled=true);
  setTimeout(render,TAP_GUARD_MS+50);
  const payload={};
  document.querySelectorAll('[data-input]').forEach(i=>{if(i.dataset.panel===id) payload[i.dataset.input]=i.value;});
  fetch('/action',{method:'POST',headers:{'Content-Type':'application/x-www-form-urlencoded','X-Panel-Secret':SECRET},
    body:'panel='+encodeURIComponent(id)+'&action='+encodeURIComponent(b.dataset.action)+
         (Object.keys(payload).length?'&payload='+encodeURIComponent(JSON.stringify(payload)):'')});
}
function applyMotion(){
  const moving=!!(motion&&motion.moving);
  document.body.classList.toggle('moving',moving);
  document.getElementById('motion').textContent=moving?
    'MOVING - full panel after '+(motion.unlock_after_s??10)+' s stopped':'';
}
function applyTheme(){
  // Auto: the sun at the car's position when the host knows it, else the clock.
  const h=new Date().getHours();
  const dark=daylight===null?(h<7||h>=19):!daylight;
  const night=themeMode==='night'||(themeMode==='auto'&&dark);
  document.body.classList.toggle('night',night);
  document.body.classList.toggle('concealed',concealed);
  document.getElementById('theme-btn').innerHTML='<span class="key">F9</span>Theme: '+themeMode;
  document.getElementById('conceal-btn').innerHTML='<span class="key">F10</span>Concealed: '+(concealed?'on':'off');
}
function setTheme(m){themeMode=m;applyTheme();}
document.getElementById('theme-btn').onclick=()=>setTheme({auto:'day',day:'night',night:'auto'}[themeMode]);
document.getElementById('conceal-btn').onclick=()=>{concealed=!concealed;applyTheme();};
document.addEventListener('keydown',e=>{
  if(e.key==='F9'){e.preventDefault();document.getElementById('theme-btn').click();return;}
  if(e.key==='F10'){e.preventDefault();document.getElementById('conceal-btn').click();return;}
  const b=document.querySelector('button[data-key="'+e.key+'"]');
  if(b){e.preventDefault(); if(b.offsetParent!==null&&!b.disabled) tap(b);}
});
function strip(st){
  const items=(st&&st.items)||[];
  document.getElementById('strip').innerHTML=items.map(i=>'<span class="chip '+esc(i.severity)+'" id="chip-'+esc(i.id)+'">'+esc(i.text)+'</span>').join('')||
    '<span class="chip" id="chip-host">Host: up</span>';
}
function checkLost(){
  const lost=Date.now()-lastOk>LOST_AFTER_MS||!streamOk;
  document.body.classList.toggle('lost',lost);
  document.getElementById('lost').textContent=lost?
    'PANEL HOST NOT RESPONDING - new flags cannot show. This does not mean there are no flags.':'';
}
async function heartbeat(){
  const ctl=new AbortController(); const t=setTimeout(()=>ctl.abort(),2500);
  try{
    const r=await fetch('/heartbeat',{method:'POST',signal:ctl.signal,
      headers:{'X-Panel-Secret':SECRET,'X-Panel-Concealed':concealed?'1':'0'}});
    if(r.ok){lastOk=Date.now(); const st=await r.json(); strip(st);
      if(typeof st.daylight==='boolean'&&st.daylight!==daylight){daylight=st.daylight;applyTheme();}}
  }catch(e){}
  clearTimeout(t); checkLost();
}
setInterval(heartbeat,1000); setInterval(checkLost,500); setInterval(applyTheme,60000);
document.title=SCREEN_NAME; applyTheme(); heartbeat();
const es=new EventSource('/events?s='+encodeURIComponent(SECRET));
es.onopen=()=>{streamOk=true;checkLost();};
es.onerror=()=>{streamOk=false;checkLost();};
es.onmessage=e=>{
  const ev=JSON.parse(e.data);
  if(ev.kind==='close') panels.delete(ev.panel_id);
  else {panels.set(ev.panel_id,ev.doc); if(ev.doc.motion) motion=ev.doc.motion;}
  render();
};
</script></body></html>
)HTML";
}

}  // namespace mdtc::panel
